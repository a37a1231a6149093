package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.backend.rbd.RbdSpec;
import dev.ferry.cli.admin.AdminOptions;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.gateway.GatewayException;
import dev.ferry.gateway.GroupAdmin;
import dev.ferry.gateway.GroupConfig;
import dev.ferry.gateway.GroupDocument;
import dev.ferry.gateway.RadosClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry gateway}: a gateway group's membership, read and changed in its Ceph cluster without a daemon
 * (the gateway module's {@link GroupAdmin}). A member's daemon takes its lease and address when it serves.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = "A gateway group: Ferry nodes sharing configuration, leases and image ownership in Ceph.",
        subcommands = {GatewayCommand.Create.class, GatewayCommand.Join.class, GatewayCommand.Leave.class,
                GatewayCommand.Status.class, GatewayCommand.Move.class, GatewayCommand.Config.class})
final class GatewayCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (create, join, leave, status, move, config)");
    }

    /** Where the group lives and how to reach its cluster. */
    static final class Group {
        @Parameters(index = "0", paramLabel = "POOL[/NAMESPACE]/GROUP", description = "the group's pool and name")
        String group;
        @Option(names = "--conf", paramLabel = "FILE", description = "the ceph.conf (default: /etc/ceph/ceph.conf)")
        Path conf;
        @Option(names = "--id", paramLabel = "CLIENT", description = "the Ceph client id (default: admin)")
        String id;
        @Option(names = "--keyring", paramLabel = "FILE", description = "the client's keyring (default: the conf's)")
        Path keyring;

        RadosClient connect() throws GatewayException {
            int slash = group.lastIndexOf('/');
            if (slash <= 0 || group.contains(":")) {
                throw new IllegalArgumentException("'" + group + "' is not POOL[/NAMESPACE]/GROUP");
            }
            String where = group.substring(0, slash);
            int ns = where.indexOf('/');
            return RadosClient.connect(RbdSpec.parse(RbdSpec.format(ns < 0 ? where : where.substring(0, ns),
                    ns < 0 ? null : where.substring(ns + 1), group.substring(slash + 1),
                    RbdCommand.absolute(conf), id, RbdCommand.absolute(keyring))));
        }
    }

    /** Runs {@code action} on a connection: a refused change exits 3, a cluster that cannot be reached 4. */
    abstract static class GroupAction implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Group group;

        abstract void run(RadosClient client, PrintWriter out) throws Exception;

        @Override
        public Integer call() throws Exception {
            RadosClient client;
            try {
                client = group.connect();
            } catch (GatewayException e) {
                spec.commandLine().getErr().println("ferry: " + e.getMessage());
                return ExitCodes.START_FAILED;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (client) {
                PrintWriter out = spec.commandLine().getOut();
                run(client, out);
                out.flush();
                return ExitCodes.OK;
            } catch (GatewayException e) {
                spec.commandLine().getErr().println("ferry: " + e.getMessage());
                return ExitCodes.INVALID_CONFIG;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
            description = {"Create an empty gateway group.",
                    "  ferry gateway create rbd/gw1 --conf /etc/ceph/ceph.conf"})
    static final class Create extends GroupAction {
        @Override
        void run(RadosClient client, PrintWriter out) throws GatewayException {
            if (!GroupDocument.create(client)) {
                throw new GatewayException("gateway group " + group.group + " exists");
            }
            out.println("created gateway group " + group.group);
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
            description = {"Add a member (or change its portals); its daemon takes its lease when it serves.",
                    "  ferry gateway join rbd/gw1 --member node1 --portal 10.0.0.1:3260 --portal 10.0.0.1:4420"})
    static final class Join extends GroupAction {
        @Option(names = "--member", required = true, paramLabel = "NAME", description = "the member's name")
        String member;
        @Option(names = "--portal", required = true, paramLabel = "HOST:PORT", description = "where it serves")
        List<String> portals;

        @Override
        void run(RadosClient client, PrintWriter out) throws GatewayException {
            GroupAdmin.register(client, member, portals);
            out.println(member + " is a member of gateway group " + group.group);
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
            description = {"Remove a member whose daemon is stopped (its lease ended), with its image ownerships.",
                    "  ferry gateway leave rbd/gw1 --member node1"})
    static final class Leave extends GroupAction {
        @Option(names = "--member", required = true, paramLabel = "NAME", description = "the member's name")
        String member;

        @Override
        void run(RadosClient client, PrintWriter out) throws GatewayException {
            GroupAdmin.remove(client, member);
            out.println(member + " left gateway group " + group.group);
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
            description = {"Hand an image to another serving member (maintenance: drain a member without I/O errors).",
                    "The new owner becomes optimized and the old one non-optimized; both keep serving I/O.",
                    "  ferry gateway move rbd/gw1 rbd/vm1 --to node2"})
    static final class Move extends GroupAction {
        @Parameters(index = "1", paramLabel = "IMAGE", description = "the image, POOL[/NAMESPACE]/IMAGE")
        String image;
        @Option(names = "--to", required = true, paramLabel = "MEMBER", description = "the member to own it")
        String to;

        @Override
        void run(RadosClient client, PrintWriter out) throws GatewayException {
            String was = GroupAdmin.move(client, image, to);
            out.println(was.equals(to) ? image + " is owned by " + to : image + " moved from " + was + " to " + to);
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
            description = {"Print the group's shared configuration (the backstores and targets every member serves,"
                    + " without the members' portals) and its revision, as JSON. Change it with the ferry admin"
                    + " commands on any member.",
                    "  ferry gateway config rbd/gw1"})
    static final class Config extends GroupAction {
        @Override
        void run(RadosClient client, PrintWriter out) throws Exception {
            GroupConfig.Snapshot s = GroupConfig.read(client);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode shown = json.createObjectNode().put("revision", s.version());
            shown.set("config", s.config() == null ? null : json.readTree(ConfigLoader.toJson(s.config())));
            out.println(json.writeValueAsString(shown));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
            description = {"List the members, their lease states and the images each owns (with the owner epoch).",
                    "  ferry gateway status rbd/gw1 -o json"})
    static final class Status extends GroupAction {
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json (default ${DEFAULT-VALUE})")
        AdminOptions.Output output;

        @Override
        void run(RadosClient client, PrintWriter out) throws Exception {
            List<GroupAdmin.MemberStatus> members = GroupAdmin.status(client);
            if (output == AdminOptions.Output.json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(members));
                return;
            }
            out.printf("%-16s %-8s %-7s %-32s %s%n", "MEMBER", "LEASE", "FENCED", "PORTALS", "OWNS (IMAGE@EPOCH)");
            for (GroupAdmin.MemberStatus m : members) {
                out.printf("%-16s %-8s %-7s %-32s %s%n", m.name(), m.leaseInForce() ? "held" : "expired",
                        m.fenced() ? "yes" : "no", String.join(",", m.portals()), String.join(",", m.epochs().entrySet().stream()
                                .map(i -> i.getKey() + "@" + i.getValue()).toList()));
            }
        }
    }
}
