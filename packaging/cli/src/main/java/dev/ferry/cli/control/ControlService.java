package dev.ferry.cli.control;

import dev.ferry.core.TargetCore;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control socket does in the daemon. Every change goes the same way: validate, apply live, persist
 * atomically; when any step fails, the running target and the file are left as they were. A gateway member
 * ({@link SharedConfiguration}) also publishes the change to its group between applying and persisting (lost to
 * another member's change: undone, and the admin command rebuilds it on the newer configuration), and applies
 * what other members published ({@link #follow}).
 */
public final class ControlService {
    private static final Logger LOG = LoggerFactory.getLogger(ControlService.class);
    private static final String SECRET_NAME = "[A-Za-z0-9][A-Za-z0-9._:-]{0,200}";

    private final TargetCore core;
    private final Path configFile;
    private final Supplier<com.fasterxml.jackson.databind.JsonNode> status;
    /** Where the daemon keeps the secrets given on standard input: beside its configuration file. */
    public static Path secretsDirectory(Path configFile) {
        return configFile.toAbsolutePath().resolveSibling("secrets");
    }

    /** Null unless a gateway member. */
    private final SharedConfiguration shared;
    /** The configuration's revision: counted here, or a gateway member's group configuration version applied. */
    private long revision;
    /** Why the group's newest configuration could not be applied here; null when it was. */
    private String behind;

    /**
     * @param configFile where accepted changes are persisted; secrets given on stdin are kept in its directory's
     *                   {@code secrets/} subdirectory
     * @param status     builds the status report
     */
    public ControlService(TargetCore core, Path configFile, Supplier<com.fasterxml.jackson.databind.JsonNode> status) {
        this(core, configFile, status, null, 1);
    }

    /**
     * A gateway member's service.
     *
     * @param shared   the group's configuration
     * @param revision the version of it the core started with
     */
    public ControlService(TargetCore core, Path configFile, Supplier<com.fasterxml.jackson.databind.JsonNode> status,
            SharedConfiguration shared, long revision) {
        this.core = core;
        this.configFile = configFile.toAbsolutePath();
        this.status = status;
        this.shared = shared;
        this.revision = revision;
    }

    /**
     * The configuration revision in force.
     *
     * @param behind why a newer group configuration is not in force here; null when none is waiting
     */
    public record Revision(long value, String behind) {
    }

    public synchronized Revision revision() {
        return new Revision(revision, behind);
    }

    public synchronized ControlResponse handle(ControlRequest r) {
        if (r.op() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("op: is missing"));
        }
        return switch (r.op()) {
            case ControlRequest.GET_CONFIG -> new ControlResponse(true, null, null, revision, core.config(), null, null);
            case ControlRequest.APPLY_CONFIG -> apply(r);
            case ControlRequest.STORE_SECRET -> storeSecret(r);
            case ControlRequest.REREAD_CAPACITY -> rereadCapacity(r);
            case ControlRequest.STATUS -> new ControlResponse(true, null, null, revision, null, null, status.get());
            default -> ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("op: unknown operation '" + r.op() + "'"));
        };
    }

    private ControlResponse apply(ControlRequest r) {
        if (r.config() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("config: is missing"));
        }
        if (r.revision() != null && r.revision() != revision) {
            return ControlResponse.error(ControlResponse.CONFLICT, List.of("the configuration changed meanwhile (revision "
                    + revision + ", change built on " + r.revision() + ")"));
        }
        if (shared != null) {
            return applyToGroup(r);
        }
        FerryConfig previous = core.config();
        ControlResponse refused = applyLive(r.config(), Boolean.TRUE.equals(r.allowShrink()));
        if (refused != null) {
            return refused;
        }
        try {
            persist(r.config());
        } catch (IOException e) {
            LOG.error("cannot persist the configuration to {}, going back to the previous one", configFile, e);
            revert(previous);
            return ControlResponse.error(ControlResponse.FAILED, List.of("cannot write " + configFile + ": " + e));
        }
        revision++;
        LOG.info("configuration revision {} applied and saved to {}", revision, configFile);
        return ControlResponse.done(revision);
    }

    /**
     * A gateway member's change: applied here first (validated, its backstores opened), then published to the
     * group by compare-and-swap on the revision it was built on, then saved. The group's copy is the one that
     * counts, so a change the group took stays even if this member's file cannot be written (it says so in the log).
     */
    private ControlResponse applyToGroup(ControlRequest r) {
        FerryConfig mine;
        try {
            mine = shared.serve(r.config(), r.config());
        } catch (IOException e) {
            return ControlResponse.error(ControlResponse.FAILED, List.of(e.getMessage()));
        }
        synchronized (core) { // the gateway's access-state updates apply under the core's lock too
            FerryConfig previous = core.config();
            ControlResponse refused = applyLive(mine, Boolean.TRUE.equals(r.allowShrink()));
            if (refused != null) {
                return refused;
            }
            long builtOn = revision;
            OptionalLong published;
            try {
                published = shared.publish(builtOn, r.config());
            } catch (IOException e) {
                revert(previous);
                return ControlResponse.error(ControlResponse.FAILED, List.of("cannot publish the change to the"
                        + " gateway group: " + e.getMessage()));
            }
            if (published.isEmpty()) {
                revert(previous);
                follow(); // the admin command rebuilds its change on what it reads next: the newest
                return ControlResponse.error(ControlResponse.CONFLICT, List.of("another member changed the group's"
                        + " configuration meanwhile (revision " + builtOn + " is not the newest)"));
            }
            revision = published.getAsLong();
            behind = null;
        }
        saveQuietly(mine);
        LOG.info("group configuration revision {} published, applied and saved to {}", revision, configFile);
        return ControlResponse.done(revision);
    }

    /**
     * Applies the gateway group's newest configuration if it is newer than the one in force (a change made
     * through another member, or made while this one was down). A configuration this member cannot apply (it
     * cannot open a backstore, say) leaves the previous one serving; the reason is kept for the status and the
     * next call tries again.
     *
     * @return whether this member now runs the newest configuration
     */
    public synchronized boolean follow() {
        SharedConfiguration.Published p;
        try {
            p = shared.latest();
        } catch (IOException e) {
            behind = "cannot read the group's configuration: " + e.getMessage();
            LOG.warn(behind);
            return false;
        }
        if (p.config() == null || p.version() <= revision) {
            return true;
        }
        synchronized (core) {
            List<String> problems;
            FerryConfig mine = null;
            try {
                mine = shared.serve(core.config(), p.config());
                ControlResponse refused = applyLive(mine, true);
                problems = refused == null ? null : refused.problems();
            } catch (IOException e) {
                problems = List.of(e.getMessage());
            }
            if (problems != null) {
                behind = "group configuration revision " + p.version() + " cannot be applied here: "
                        + String.join("; ", problems);
                LOG.error(behind);
                return false;
            }
            revision = p.version();
            behind = null;
            saveQuietly(mine);
        }
        LOG.info("group configuration revision {} applied (changed through another member)", revision);
        return true;
    }

    /** Applies {@code next} live; null when it is in force, else the response saying why not (nothing changed). */
    private ControlResponse applyLive(FerryConfig next, boolean allowShrink) {
        try {
            core.apply(next, allowShrink);
            return null;
        } catch (ConfigException e) {
            return ControlResponse.error(ControlResponse.REFUSED, e.problems());
        } catch (Exception e) {
            LOG.warn("configuration change failed, still serving the previous one: {}", e.toString());
            return ControlResponse.error(ControlResponse.FAILED, List.of(String.valueOf(e.getMessage())));
        }
    }

    private void revert(FerryConfig previous) {
        try {
            core.revert(previous);
        } catch (Exception back) {
            LOG.error("could not go back to the previous configuration", back);
        }
    }

    private void persist(FerryConfig c) throws IOException {
        AtomicFiles.replaceKeepingBackup(configFile, ConfigLoader.toJson(c) + "\n",
                PosixFilePermissions.fromString("rw-r-----"));
    }

    private void saveQuietly(FerryConfig c) {
        try {
            persist(c);
        } catch (IOException e) {
            LOG.error("cannot save the group's configuration to {} (the group holds it; it is read again on the"
                    + " next start)", configFile, e);
        }
    }

    /** The configuration does not change: such a backstore has its device's size, whatever that is now. */
    private ControlResponse rereadCapacity(ControlRequest r) {
        if (r.name() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("name: the backstore is missing"));
        }
        long bytes;
        try {
            bytes = core.rereadCapacity(r.name());
        } catch (ConfigException e) {
            return ControlResponse.error(ControlResponse.REFUSED, e.problems());
        } catch (BackendException e) {
            return ControlResponse.error(ControlResponse.REFUSED, List.of(e.getMessage()));
        }
        com.fasterxml.jackson.databind.node.ObjectNode capacity = ControlJson.MAPPER.createObjectNode()
                .put("backstore", r.name()).put("capacityBytes", bytes);
        return new ControlResponse(true, null, null, revision, null, null, capacity);
    }

    private ControlResponse storeSecret(ControlRequest r) {
        if (r.name() == null || !r.name().matches(SECRET_NAME) || r.secret() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST,
                    List.of("name: must match " + SECRET_NAME + ", and secret must be given"));
        }
        Path dir = secretsDirectory(configFile);
        Path file = dir.resolve(r.name());
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            AtomicFiles.replace(file, r.secret().getBytes(StandardCharsets.UTF_8), PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            return ControlResponse.error(ControlResponse.FAILED, List.of("cannot write secret file " + file + ": " + e));
        }
        if (shared != null) {
            try {
                shared.storeSecret(r.name(), r.secret().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                return ControlResponse.error(ControlResponse.FAILED, List.of("cannot keep the secret in the gateway"
                        + " group: " + e.getMessage()));
            }
        }
        return new ControlResponse(true, null, null, revision, null, file.toString(), null);
    }
}
