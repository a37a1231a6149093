package dev.ferry.cli;

import dev.ferry.core.frontend.Frontend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = {"Serve a RAM disk as LUN 0 of iSCSI target " + DemoConfig.IQN + " and as namespace 1 of NVMe/TCP"
                + " subsystem " + DemoConfig.NQN + " (any initiator may connect) until Ctrl-C."})
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

    @Override
    public Integer call() throws InterruptedException {
        // TargetCore.start validates first, so a bad option (e.g. --size) is refused before anything opens.
        return TargetRunner.runUntilStopped("(demo options)", DemoConfig.build(address, port, nvmePort, size),
                spec.commandLine().getOut(), spec.commandLine().getErr(), core -> {
                    Frontend iscsi = core.frontend("iscsi");
                    ConnectHints.print(spec.commandLine().getOut(), iscsi.boundAddresses().get(0), DemoConfig.IQN);
                    Frontend nvme = core.frontend("nvme");
                    if (nvme != null) {
                        ConnectHints.printNvme(spec.commandLine().getOut(), nvme.boundAddresses().get(0), DemoConfig.NQN);
                    }
                    return null;
                });
    }
}
