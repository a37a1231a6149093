package dev.ferry.cli.admin;

import dev.ferry.core.access.AccessState;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry nvme ana ...} and {@code ferry iscsi alua ...}: the access groups of a subsystem's ports or a
 * target's portals, and their states. Both edit the configuration's {@code accessGroups}; the daemon applies the
 * change live (sessions and controllers stay, hosts are told with ANA Change events / ASYMMETRIC ACCESS STATE
 * CHANGED).
 */
final class AccessGroupCommands {
    static final String STATES = "optimized | non-optimized | standby (= inaccessible) | unavailable"
            + " | transitioning (= change)";

    private AccessGroupCommands() {
    }

    @Command(name = "ana", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Asymmetric namespace access: put ports in groups and set each group's ANA state.",
            subcommands = {NvmeSet.class, NvmeState.class})
    static final class Ana extends CommandGroup {
    }

    @Command(name = "alua", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Explicit ALUA: put portals in target port groups and set each group's access state.",
            subcommands = {IscsiSet.class, IscsiState.class})
    static final class Alua extends CommandGroup {
    }

    @Command(name = "set", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Put one port of a subsystem in an ANA group (created optimized when new).",
                    "  ferry nvme ana set nqn.2026-11.com.example:disk0 --port 10.0.0.2:4420 --group 2"})
    static final class NvmeSet implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "NQN") String nqn;
        @Option(names = "--port", required = true, paramLabel = "HOST:PORT") String port;
        @Option(names = "--group", required = true, paramLabel = "N", description = "1-128") int group;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(nqn + ": port " + port + " is in ANA group " + group,
                    c -> ConfigEdits.editTarget(c, NvmeCommand.NVME, nqn, t -> AccessGroupEdits.assign(t, port, group)));
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Set the ANA state of a group of a subsystem's ports, live: " + STATES + ".",
                    "  ferry nvme ana state nqn.2026-11.com.example:disk0 --group 2 non-optimized"})
    static final class NvmeState implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NQN") String nqn;
        @Parameters(index = "1", paramLabel = "STATE") String state;
        @Option(names = "--group", defaultValue = "1", paramLabel = "N", description = "default 1") int group;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(nqn + ": ANA group " + group + " is " + label(state),
                    c -> ConfigEdits.editTarget(c, NvmeCommand.NVME, nqn, t -> AccessGroupEdits.setState(t, group, state)));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Put one portal of a target in a target port group (created optimized when new); its TPGT"
                    + " becomes the group's id for logins from then on.",
                    "  ferry iscsi alua set iqn.2026-11.com.example:disk0 --portal 10.0.0.2:3260 --group 2"})
    static final class IscsiSet implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "IQN") String iqn;
        @Option(names = "--portal", required = true, paramLabel = "HOST:PORT") String portal;
        @Option(names = "--group", required = true, paramLabel = "N", description = "1-128") int group;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(iqn + ": portal " + portal + " is in target port group " + group,
                    c -> ConfigEdits.editTarget(c, IscsiCommand.ISCSI, iqn, t -> AccessGroupEdits.assign(t, portal, group)));
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Set the asymmetric access state of a target port group, live: " + STATES + ".",
                    "  ferry iscsi alua state iqn.2026-11.com.example:disk0 --group 2 standby"})
    static final class IscsiState implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "STATE") String state;
        @Option(names = "--group", defaultValue = "1", paramLabel = "N", description = "default 1") int group;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(iqn + ": target port group " + group + " is " + label(state),
                    c -> ConfigEdits.editTarget(c, IscsiCommand.ISCSI, iqn, t -> AccessGroupEdits.setState(t, group, state)));
        }
    }

    private static String label(String state) {
        AccessState s = AccessState.parse(state);
        return s == null ? state : s.label();
    }
}
