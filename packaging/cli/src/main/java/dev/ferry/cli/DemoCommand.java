package dev.ferry.cli;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.frontend.nvmerdma.RdmaAvailability;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = {"Serve a RAM disk as LUN 0 of iSCSI target " + DemoConfig.IQN + " and as namespace 1 of NVMe/TCP"
                + " subsystem " + DemoConfig.NQN + " (any initiator may connect) until Ctrl-C; with --rdma, that"
                + " subsystem over NVMe/RDMA too."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--iscsi-port", defaultValue = "3260", paramLabel = "N",
            description = "iSCSI TCP port (0: any free port; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--nvme-port", defaultValue = "4420", paramLabel = "N",
            description = "NVMe/TCP port, also serving the discovery subsystem (0: any free port; -1: no NVMe;"
                    + " default ${DEFAULT-VALUE})")
    int nvmePort;

    @Option(names = "--size", defaultValue = "1G", paramLabel = "SIZE",
            description = "RAM disk size, e.g. 512M, 1G (default ${DEFAULT-VALUE}); memory is used only as data is written")
    String size;

    @Option(names = "--address", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every address)")
    String address;

    @Option(names = "--rdma", paramLabel = "ADDR",
            description = "also serve the NVMe subsystem over RDMA on rdma://ADDR:<nvme-port> (an address of an RDMA"
                    + " device, e.g. soft-RoCE's); without a usable RDMA device, says why and serves TCP only")
    String rdmaAddress;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        FerryConfig config = DemoConfig.build(address, port, nvmePort, size);
        if (rdmaAddress != null) {
            config = withRdma(config, out);
        }
        // TargetCore.start validates first, so a bad option (e.g. --size) is refused before anything opens.
        return TargetRunner.runUntilStopped("(demo options)", config, out, spec.commandLine().getErr(), core -> {
            Frontend iscsi = core.frontend("iscsi");
            ConnectHints.print(out, iscsi.boundAddresses().get(0), DemoConfig.IQN);
            Frontend nvme = core.frontend("nvme");
            if (nvme != null) {
                ConnectHints.printNvme(out, nvme.boundAddresses().get(0), DemoConfig.NQN);
            }
            Frontend rdma = core.frontend("nvme", Portal.RDMA);
            if (rdma != null) {
                int rdmaPort = rdma.boundAddresses().get(0).getPort();
                out.println("  nvme-cli:   nvme connect -t rdma -a " + rdmaAddress + " -s " + rdmaPort + " -n "
                        + DemoConfig.NQN);
            }
            return null;
        });
    }

    /** Adds rdma://ADDR:port to the NVMe subsystem when RDMA is usable here; otherwise says why and leaves TCP. */
    private FerryConfig withRdma(FerryConfig config, PrintWriter out) {
        if (nvmePort < 0) {
            out.println("--rdma ignored: NVMe is off (--nvme-port -1)");
            return config;
        }
        RdmaAvailability.Result rdma = RdmaAvailability.check();
        if (!rdma.available()) {
            out.println("NVMe/RDMA not started: " + rdma.reason() + "; serving NVMe/TCP only");
            return config;
        }
        String host = rdmaAddress.indexOf(':') >= 0 ? "[" + rdmaAddress + "]" : rdmaAddress;
        List<TargetConfig> targets = new ArrayList<>();
        for (TargetConfig t : config.targets()) {
            if (t.name().equals(DemoConfig.NQN)) {
                List<String> portals = new ArrayList<>(t.portals());
                portals.add(Portal.RDMA + "://" + host + ":" + nvmePort);
                t = new TargetConfig(t.name(), t.protocol(), portals, t.luns(), t.acls(), t.allowAnyInitiator(),
                        t.alias(), t.iscsi(), t.accessGroups());
            }
            targets.add(t);
        }
        return config.withTargets(targets);
    }
}
