package dev.ferry.cli.admin;

import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.TargetConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "iscsi", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
        description = "Change the iSCSI targets: targets, LUNs, ACLs, portals.",
        subcommands = {IscsiCommand.Target.class, IscsiCommand.Lun.class, IscsiCommand.Acl.class, IscsiCommand.Portal.class})
public final class IscsiCommand extends CommandGroup {
    static final String ISCSI = TargetConfig.ISCSI;

    @Command(name = "target", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Create or delete iSCSI targets.",
            subcommands = {TargetCreate.class, TargetDelete.class})
    static final class Target extends CommandGroup {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Create an iSCSI target. Ferry admits no initiator to a target without an ACL, so name"
                    + " the first initiator here (--acl) or open it to all (--allow-any-initiator).",
                    "  ferry iscsi target create iqn.2026-11.com.example:disk0 --acl iqn.1993-08.org.debian:01:host1"})
    static final class TargetCreate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "IQN") String iqn;
        @Option(names = "--portal", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:3260",
                description = "where it listens; repeatable (default ${DEFAULT-VALUE})")
        List<String> portals;
        @Option(names = "--acl", paramLabel = "INITIATOR_IQN", description = "an initiator that may log in; repeatable")
        List<String> acls = new ArrayList<>();
        @Option(names = "--allow-any-initiator", description = "admit every initiator (demo, lab)")
        boolean allowAny;
        @Option(names = "--alias", paramLabel = "TEXT", description = "the iSCSI TargetAlias")
        String alias;

        @Override
        public Integer call() {
            TargetConfig t = new TargetConfig(iqn, ISCSI, portals, List.of(),
                    acls.stream().map(AclConfig::new).toList(), allowAny ? Boolean.TRUE : null, alias);
            return new AdminCall(spec, admin).change("iSCSI target " + iqn + " created", c -> ConfigEdits.addTarget(c, t));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Delete an iSCSI target; its sessions then see no LUNs.")
    static final class TargetDelete implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "IQN") String iqn;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change("iSCSI target " + iqn + " deleted",
                    c -> ConfigEdits.deleteTarget(c, ISCSI, iqn));
        }
    }

    @Command(name = "lun", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Map backstores as LUNs of a target.",
            subcommands = {LunAdd.class, LunRemove.class})
    static final class Lun extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Serve a backstore as a LUN of a target, live.")
    static final class LunAdd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "BACKSTORE") String backstore;
        @Option(names = "--lun", paramLabel = "N", description = "the LUN (default: the lowest free one)") Long lun;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change("backstore " + backstore + " mapped in " + iqn,
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.addUnit(t, backstore, lun)));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Stop serving a LUN (requests in flight complete first).")
    static final class LunRemove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "LUN") long lun;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change("LUN " + lun + " removed from " + iqn,
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.removeUnit(t, lun)));
        }
    }

    @Command(name = "acl", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Allow or deny initiators.",
            subcommands = {AclAdd.class, AclRemove.class})
    static final class Acl extends CommandGroup {
    }

    static final class Chap {
        @Option(names = "--chap-user", required = true, paramLabel = "USER", description = "CHAP user the initiator presents")
        String user;
        @Option(names = "--chap-secret-file", required = true, paramLabel = "FILE",
                description = "file holding the CHAP secret (12-255 bytes), or - to read it from standard input")
        String secretFile;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Allow an initiator to log in, optionally with CHAP. The secret is read from a file or"
                    + " standard input, never from the command line, and never printed.",
                    "  ferry iscsi acl add IQN iqn.1993-08.org.debian:01:host1 --chap-user host1 --chap-secret-file -"})
    static final class AclAdd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "INITIATOR_IQN") String initiator;
        @ArgGroup(exclusive = false) Chap chap;

        @Override
        public Integer call() {
            AdminCall call = new AdminCall(spec, admin);
            String secretFile = null;
            if (chap != null) {
                try {
                    secretFile = SecretInput.resolve(call, chap.secretFile, "chap-" + iqn + "-" + initiator, System.in);
                } catch (AdminCall.DaemonFailure f) {
                    return f.exitCode;
                } catch (IOException e) {
                    return call.unreachable(e);
                }
            }
            AclConfig a = new AclConfig(initiator, chap == null ? null : chap.user, secretFile, null, null, null);
            return call.change(initiator + " may log in to " + iqn,
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.addAcl(t, a)));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Stop allowing an initiator to log in (sessions already open stay).")
    static final class AclRemove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "INITIATOR_IQN") String initiator;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(initiator + " removed from the ACL of " + iqn,
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.removeAcl(t, initiator)));
        }
    }

    @Command(name = "portal", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Add or remove listening addresses.",
            subcommands = {PortalAdd.class, PortalRemove.class})
    static final class Portal extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Listen for a target on one more address, now.")
    static final class PortalAdd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "HOST:PORT") String portal;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(iqn + " listens on " + portal,
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.addPortal(t, portal)));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Stop listening on a portal (unbound when no target uses it any more).")
    static final class PortalRemove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "HOST:PORT") String portal;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(iqn + " no longer listens on " + portal,
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.removePortal(t, portal)));
        }
    }
}
