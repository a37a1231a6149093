package dev.ferry.cli.gateway;

import dev.ferry.cli.control.AtomicFiles;
import dev.ferry.cli.control.SharedConfiguration;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.gateway.GatewayException;
import dev.ferry.gateway.GroupConfig;
import dev.ferry.gateway.GroupSecrets;
import dev.ferry.gateway.RadosClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's side of the group's shared configuration ({@link GroupConfig}): what it publishes is the shared part
 * of its configuration ({@link MemberConfig#shared}), what it serves is the group's part on its own portals, with
 * the group's secrets written to its own secrets directory and the access states the group's ownership gives it
 * ({@link GatewayLayout}).
 */
final class GroupConfigLink implements SharedConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(GroupConfigLink.class);
    /** A lost first publication means another member published first: the next read sees it. */
    private static final int SEED_ATTEMPTS = 3;

    /** The connection and group configuration of the membership in force (a rejoin opens new ones; null meanwhile). */
    private final Supplier<RadosClient> client;
    private final Supplier<GroupConfig> config;
    /** This member's secrets directory (beside its configuration file). */
    private final Path secrets;
    /** This member's access states applied to a configuration. */
    private final UnaryOperator<FerryConfig> layout;

    GroupConfigLink(Supplier<RadosClient> client, Supplier<GroupConfig> config, Path secrets,
            UnaryOperator<FerryConfig> layout) {
        this.client = client;
        this.config = config;
        this.secrets = secrets;
        this.layout = layout;
    }

    /**
     * The group's configuration for a member starting with {@code own}: in a group nobody has configured yet,
     * {@code own}'s backstores and targets (and the secrets they keep in {@code secrets}) become the group's, unless
     * it has none (a member with only its gateway section waits for the group's: it must not publish an empty one
     * that would replace the targets of the member that starts next). Its config is null then.
     */
    static GroupConfig.Snapshot startWith(RadosClient client, GroupConfig group, FerryConfig own, Path secrets)
            throws GatewayException {
        FerryConfig mine = MemberConfig.shared(own, secrets);
        for (int attempt = 0; attempt < SEED_ATTEMPTS; attempt++) {
            GroupConfig.Snapshot s = group.read();
            if (s.config() == null && own.backstores().isEmpty() && own.targets().isEmpty()) {
                LOG.info("the group has no configuration yet: serving nothing until a member publishes one");
                return s;
            }
            if (s.config() != null) {
                if (!s.config().equals(mine)) {
                    LOG.info("serving the group's configuration revision {}: it replaces the backstores and targets"
                            + " of this member's file", s.version());
                }
                List<String> unserved = MemberConfig.unserved(own, s.config());
                if (!unserved.isEmpty()) {
                    LOG.warn("not serving the group targets {}: this member has no portal for their protocol (set"
                            + " gateway.portals)", unserved);
                }
                return s;
            }
            for (String name : MemberConfig.secretNames(mine)) {
                try {
                    GroupSecrets.store(client, name, Files.readAllBytes(secrets.resolve(name)));
                } catch (IOException e) {
                    throw new GatewayException("cannot read secret file " + secrets.resolve(name) + ": " + e, e);
                }
            }
            GroupConfig.Snapshot published = group.publish(s.version(), mine);
            if (published != null) {
                LOG.info("this member's backstores and targets are the group's configuration now (revision {})",
                        published.version());
                return published;
            }
        }
        throw new GatewayException("cannot read the group's configuration: it keeps changing");
    }

    private <T> T current(Supplier<T> of) throws IOException {
        T t = of.get();
        if (t == null) {
            throw new IOException("this member is rejoining its gateway group: try again in a moment");
        }
        return t;
    }

    @Override
    public Published latest() throws IOException {
        try {
            GroupConfig.Snapshot s = current(config).read();
            return new Published(s.version(), s.config());
        } catch (GatewayException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public FerryConfig serve(FerryConfig own, FerryConfig group) throws IOException {
        for (String name : MemberConfig.secretNames(group)) {
            writeSecret(name);
        }
        return layout.apply(MemberConfig.merge(own, group, secrets));
    }

    /** The group's secret {@code name} as this member's file of that name, written only when it differs. */
    private void writeSecret(String name) throws IOException {
        byte[] secret;
        try {
            secret = GroupSecrets.read(current(client), name);
        } catch (GatewayException e) {
            throw new IOException(e.getMessage(), e);
        }
        Path file = secrets.resolve(name);
        if (!file.getParent().equals(secrets)) { // a name with a path in it: not one the daemon stored
            throw new IOException("the group's configuration names secret '" + name + "', not a file name");
        }
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), secret)) {
            return;
        }
        Files.createDirectories(secrets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        AtomicFiles.replace(file, secret, PosixFilePermissions.fromString("rw-------"));
    }

    @Override
    public OptionalLong publish(long version, FerryConfig next) throws IOException {
        try {
            GroupConfig.Snapshot s = current(config).publish(version, MemberConfig.shared(next, secrets));
            return s == null ? OptionalLong.empty() : OptionalLong.of(s.version());
        } catch (GatewayException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void storeSecret(String name, byte[] secret) throws IOException {
        try {
            GroupSecrets.store(current(client), name, secret);
        } catch (GatewayException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
