package dev.ferry.cli.admin;

import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.TargetConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "iscsi", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
        description = "Change the iSCSI targets: targets, LUNs, ACLs, portals.",
        subcommands = {IscsiCommand.Target.class, IscsiCommand.Lun.class, IscsiCommand.Acl.class, IscsiCommand.Portal.class,
                AccessGroupCommands.Alua.class})
public final class IscsiCommand extends CommandGroup {
    static final String ISCSI = TargetConfig.ISCSI;

    @Command(name = "target", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Create, change or delete iSCSI targets.",
            subcommands = {TargetCreate.class, TargetSet.class, TargetDelete.class})
    static final class Target extends CommandGroup {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Create an iSCSI target. It admits no initiator until one is named here (--acl) or later"
                    + " (iscsi acl add), or it is opened to all (--allow-any-initiator).",
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
            String note = acls.isEmpty() && !allowAny ? "; it admits no initiator until 'ferry iscsi acl add'" : "";
            return new AdminCall(spec, admin).change("iSCSI target " + iqn + " created" + note,
                    c -> ConfigEdits.addTarget(c, t));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Change a target's iSCSI limits and negotiation offers. Logins from now on use them;"
                    + " sessions already logged in keep what they negotiated. Options not given keep their value.",
                    "  ferry iscsi target set iqn.2026-11.com.example:disk0 --max-sessions 8 --commands-per-session 64"})
    static final class TargetSet implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "IQN") String iqn;
        @Option(names = "--max-sessions", paramLabel = "N",
                description = "sessions at once; more logins are refused as out of resources (default "
                        + IscsiTargetConfig.DEFAULT_MAX_SESSIONS + ")")
        Integer maxSessions;
        @Option(names = "--commands-per-session", paramLabel = "N",
                description = "the CmdSN window: commands a session may have outstanding (default "
                        + IscsiTargetConfig.DEFAULT_COMMANDS_PER_SESSION + ")")
        Integer commandsPerSession;
        @Option(names = "--max-recv-data-segment-length", paramLabel = "BYTES",
                description = "largest data segment accepted (default " + IscsiTargetConfig.DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH + ")")
        Integer maxRecvDataSegmentLength;
        @Option(names = "--max-burst-length", paramLabel = "BYTES",
                description = "MaxBurstLength offered (default " + IscsiTargetConfig.DEFAULT_MAX_BURST_LENGTH + ")")
        Integer maxBurstLength;
        @Option(names = "--first-burst-length", paramLabel = "BYTES",
                description = "FirstBurstLength offered (default " + IscsiTargetConfig.DEFAULT_FIRST_BURST_LENGTH + ")")
        Integer firstBurstLength;
        @Option(names = "--max-outstanding-r2t", paramLabel = "N",
                description = "MaxOutstandingR2T offered (default " + IscsiTargetConfig.DEFAULT_MAX_OUTSTANDING_R2T + ")")
        Integer maxOutstandingR2T;
        @Option(names = "--immediate-data", paramLabel = "yes|no", arity = "1", converter = YesNo.class,
                description = "accept immediate data (default yes)")
        Boolean immediateData;
        @Option(names = "--initial-r2t", paramLabel = "yes|no", arity = "1", converter = YesNo.class,
                description = "insist on an R2T before any write data (default no)")
        Boolean initialR2T;
        @Option(names = "--reset", description = "back to the defaults first, then apply the options given")
        boolean reset;

        @Override
        public Integer call() {
            IscsiTargetConfig given = new IscsiTargetConfig(maxSessions, commandsPerSession, maxRecvDataSegmentLength,
                    maxBurstLength, firstBurstLength, maxOutstandingR2T, immediateData, initialR2T);
            return new AdminCall(spec, admin).change("iSCSI target " + iqn + " settings changed",
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.setIscsi(t, given, reset)));
        }
    }

    /** iSCSI writes booleans as Yes and No (RFC 7143 6.1); true and false are accepted too. */
    static final class YesNo implements CommandLine.ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "yes", "true" -> Boolean.TRUE;
                case "no", "false" -> Boolean.FALSE;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not yes or no");
            };
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Delete an iSCSI target; its sessions end.")
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
                    "  ferry iscsi acl add IQN iqn.1993-08.org.debian:01:host1 --chap-user host1 --chap-secret-file -",
                    "  ferry iscsi acl add IQN iqn.1993-08.org.debian:01:host2 --luns 0,3"})
    static final class AclAdd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "IQN") String iqn;
        @Parameters(index = "1", paramLabel = "INITIATOR_IQN") String initiator;
        @ArgGroup(exclusive = false) Chap chap;
        @Option(names = "--luns", split = ",", paramLabel = "LUN",
                description = "LUN mask: the only LUNs this initiator sees (default: all)") List<Long> luns;

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
            AclConfig a = new AclConfig(initiator, chap == null ? null : chap.user, secretFile, null, null, luns);
            return call.change(initiator + " may log in to " + iqn,
                    c -> ConfigEdits.editTarget(c, ISCSI, iqn, t -> ConfigEdits.addAcl(t, a)));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Stop allowing an initiator to log in; its open sessions end.")
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
