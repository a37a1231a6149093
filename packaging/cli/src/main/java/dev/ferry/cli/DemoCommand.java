package dev.ferry.cli;

import dev.ferry.core.frontend.Frontend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = "Serve a RAM disk as LUN 0 of " + DemoConfig.IQN + " (any initiator may log in) until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--iscsi-port", defaultValue = "3260", paramLabel = "N",
            description = "TCP port to listen on (0: any free port; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--size", defaultValue = "1G", paramLabel = "SIZE",
            description = "RAM disk size, e.g. 512M, 1G (default ${DEFAULT-VALUE}); memory is used only as data is written")
    String size;

    @Option(names = "--address", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every address)")
    String address;

    @Override
    public Integer call() throws InterruptedException {
        // TargetCore.start validates first, so a bad option (e.g. --size) is refused before anything opens.
        return TargetRunner.runUntilStopped("(demo options)", DemoConfig.build(address, port, size),
                spec.commandLine().getOut(), spec.commandLine().getErr(), core -> {
                    Frontend iscsi = core.frontend("iscsi");
                    ConnectHints.print(spec.commandLine().getOut(), iscsi.boundAddresses().get(0), DemoConfig.IQN);
                });
    }
}
