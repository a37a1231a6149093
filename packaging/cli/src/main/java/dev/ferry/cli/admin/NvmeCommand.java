package dev.ferry.cli.admin;

import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.DhchapKey;
import dev.ferry.core.config.TargetConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "nvme", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
        description = "Change the NVMe-oF subsystems: subsystems, namespaces, allowed hosts, ports.",
        subcommands = {NvmeCommand.Subsystem.class, NvmeCommand.Namespace.class, NvmeCommand.Host.class,
                NvmeCommand.Port.class, AccessGroupCommands.Ana.class})
public final class NvmeCommand extends CommandGroup {
    static final String NVME = TargetConfig.NVME;

    @Command(name = "subsystem", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Create or delete NVMe subsystems.",
            subcommands = {SubsystemCreate.class, SubsystemDelete.class})
    static final class Subsystem extends CommandGroup {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Create an NVMe subsystem. It admits no host until one is named here (--host) or later"
                    + " (nvme host allow), or it is opened to all (--allow-any-host).",
                    "  ferry nvme subsystem create nqn.2026-11.com.example:disk0 --host nqn.2014-08.org.nvmexpress:uuid:..."})
    static final class SubsystemCreate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "NQN") String nqn;
        @Option(names = "--port", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:4420",
                description = "NVMe/TCP port; repeatable (default ${DEFAULT-VALUE})")
        List<String> ports;
        @Option(names = "--host", paramLabel = "HOSTNQN", description = "a host that may connect; repeatable")
        List<String> hosts = new ArrayList<>();
        @Option(names = "--allow-any-host", description = "admit every host (demo, lab)")
        boolean allowAny;

        @Override
        public Integer call() {
            TargetConfig t = new TargetConfig(nqn, NVME, ports, List.of(), hosts.stream().map(AclConfig::new).toList(),
                    allowAny ? Boolean.TRUE : null, null);
            String note = hosts.isEmpty() && !allowAny ? "; it admits no host until 'ferry nvme host allow'" : "";
            return new AdminCall(spec, admin).change("NVMe subsystem " + nqn + " created" + note,
                    c -> ConfigEdits.addTarget(c, t));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Delete an NVMe subsystem.")
    static final class SubsystemDelete implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "NQN") String nqn;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change("NVMe subsystem " + nqn + " deleted",
                    c -> ConfigEdits.deleteTarget(c, NVME, nqn));
        }
    }

    @Command(name = "namespace", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Serve backstores as namespaces.",
            subcommands = {NamespaceAdd.class, NamespaceRemove.class})
    static final class Namespace extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Serve a backstore as a namespace, live.")
    static final class NamespaceAdd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NQN") String nqn;
        @Parameters(index = "1", paramLabel = "BACKSTORE") String backstore;
        @Option(names = "--nsid", paramLabel = "N", description = "the namespace ID (default: the lowest free one)") Long nsid;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change("backstore " + backstore + " mapped in " + nqn,
                    c -> ConfigEdits.editTarget(c, NVME, nqn, t -> ConfigEdits.addUnit(t, backstore, nsid)));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Stop serving a namespace.")
    static final class NamespaceRemove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NQN") String nqn;
        @Parameters(index = "1", paramLabel = "NSID") long nsid;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change("namespace " + nsid + " removed from " + nqn,
                    c -> ConfigEdits.editTarget(c, NVME, nqn, t -> ConfigEdits.removeUnit(t, nsid)));
        }
    }

    @Command(name = "host", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Allow or disallow hosts.",
            subcommands = {HostAllow.class, HostDisallow.class})
    static final class Host extends CommandGroup {
    }

    @Command(name = "allow", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = {"Allow a host NQN to connect, optionally to some namespaces only, optionally with"
                    + " DH-HMAC-CHAP in-band authentication. Secrets (DHHC-1, as nvme gen-dhchap-key prints them)"
                    + " are read from a file or standard input, never from the command line, and never printed.",
                    "  ferry nvme host allow NQN nqn.2014-08.org.nvmexpress:uuid:... --namespaces 1,3",
                    "  nvme gen-dhchap-key -m 1 -n HOSTNQN | ferry nvme host allow NQN HOSTNQN --dhchap-secret-file -"})
    static final class HostAllow implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NQN") String nqn;
        @Parameters(index = "1", paramLabel = "HOSTNQN") String host;
        @Option(names = "--namespaces", split = ",", paramLabel = "NSID",
                description = "the only namespaces this host sees (default: all)") List<Long> namespaces;
        @Option(names = "--dhchap-secret-file", paramLabel = "FILE",
                description = "file holding the host's DH-HMAC-CHAP secret, or - for standard input: every queue"
                        + " of this host must authenticate") String dhchapSecretFile;
        @Option(names = "--dhchap-ctrl-secret-file", paramLabel = "FILE",
                description = "file holding the controller's secret for bidirectional authentication, or - for"
                        + " standard input") String dhchapCtrlSecretFile;

        @Override
        public Integer call() {
            AdminCall call = new AdminCall(spec, admin);
            if (dhchapCtrlSecretFile != null && dhchapSecretFile == null) {
                return call.refuse("--dhchap-ctrl-secret-file needs --dhchap-secret-file as well");
            }
            if ("-".equals(dhchapSecretFile) && "-".equals(dhchapCtrlSecretFile)) {
                return call.refuse("only one secret can come from standard input");
            }
            String hostFile;
            String ctrlFile;
            try {
                hostFile = SecretInput.resolve(call, dhchapSecretFile, "dhchap-" + nqn + "-" + host, System.in,
                        DhchapKey::parse);
                ctrlFile = SecretInput.resolve(call, dhchapCtrlSecretFile, "dhchap-ctrl-" + nqn + "-" + host,
                        System.in, DhchapKey::parse);
            } catch (IllegalArgumentException e) {
                return call.refuse("the DH-HMAC-CHAP secret on standard input: " + e.getMessage());
            } catch (AdminCall.DaemonFailure f) {
                return f.exitCode;
            } catch (IOException e) {
                return call.unreachable(e);
            }
            AclConfig a = new AclConfig(host, null, null, null, null, namespaces, hostFile, ctrlFile);
            return call.change(host + " may connect to " + nqn + (hostFile == null ? "" : " (DH-HMAC-CHAP)"),
                    c -> ConfigEdits.editTarget(c, NVME, nqn, t -> ConfigEdits.addAcl(t, a)));
        }
    }

    @Command(name = "disallow", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Stop allowing a host NQN.")
    static final class HostDisallow implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NQN") String nqn;
        @Parameters(index = "1", paramLabel = "HOSTNQN") String host;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(host + " removed from " + nqn,
                    c -> ConfigEdits.editTarget(c, NVME, nqn, t -> ConfigEdits.removeAcl(t, host)));
        }
    }

    @Command(name = "port", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Add or remove NVMe/TCP ports.",
            subcommands = {PortAdd.class, PortRemove.class})
    static final class Port extends CommandGroup {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Serve a subsystem on one more address.")
    static final class PortAdd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NQN") String nqn;
        @Parameters(index = "1", paramLabel = "HOST:PORT") String port;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(nqn + " listens on " + port,
                    c -> ConfigEdits.editTarget(c, NVME, nqn, t -> ConfigEdits.addPortal(t, port)));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Stop serving a subsystem on an address.")
    static final class PortRemove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(index = "0", paramLabel = "NQN") String nqn;
        @Parameters(index = "1", paramLabel = "HOST:PORT") String port;

        @Override
        public Integer call() {
            return new AdminCall(spec, admin).change(nqn + " no longer listens on " + port,
                    c -> ConfigEdits.editTarget(c, NVME, nqn, t -> ConfigEdits.removePortal(t, port)));
        }
    }
}
