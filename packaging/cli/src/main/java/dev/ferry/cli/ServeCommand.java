package dev.ferry.cli;

import dev.ferry.cli.control.ControlServer;
import dev.ferry.cli.control.ControlService;
import dev.ferry.cli.control.StatusReport;
import dev.ferry.cli.gateway.GatewayServe;
import dev.ferry.core.TargetCore;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.gateway.GatewayException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = {"Serve the targets of a JSON configuration until Ctrl-C (SIGINT/SIGTERM).",
                "The ferry admin commands change it live through the control socket; every accepted change is"
                        + " saved to the configuration file (the previous version kept as FILE.bak)."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the JSON configuration")
    Path config;

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = AdminDefaults.SOCKET,
            description = "Unix socket for the ferry admin commands, mode 0600 (default ${DEFAULT-VALUE};"
                    + " env FERRY_CONTROL_SOCKET)")
    Path controlSocket;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve Prometheus metrics over HTTP at http://HOST:PORT/metrics (off by default;"
                    + " e.g. 127.0.0.1:9105)")
    String metrics;

    @Override
    public Integer call() throws InterruptedException {
        FerryConfig c = ConfigCheck.load(config, spec.commandLine().getErr());
        if (c == null) {
            return ExitCodes.INVALID_CONFIG;
        }
        GatewayServe gateway = null;
        if (c.gateway() != null) {
            try {
                gateway = GatewayServe.join(c, ControlService.secretsDirectory(config));
                c = gateway.initial(c);
            } catch (GatewayException | IOException | RuntimeException e) {
                if (gateway != null) {
                    gateway.close();
                }
                spec.commandLine().getErr().println("ferry: cannot join gateway group " + c.gateway().group() + ": "
                        + e.getMessage());
                spec.commandLine().getErr().flush();
                return ExitCodes.START_FAILED;
            }
        }
        GatewayServe member = gateway;
        int rc = TargetRunner.runUntilStopped(config.toString(), c, spec.commandLine().getOut(),
                spec.commandLine().getErr(), core -> {
                    ControlService service = member == null
                            ? new ControlService(core, config, () -> StatusReport.of(core))
                            : new ControlService(core, config, () -> member.withStatus(
                                    (com.fasterxml.jackson.databind.node.ObjectNode) StatusReport.of(core)),
                                    member.sharedConfiguration(), member.startRevision());
                    AutoCloseable beside = started(core, service);
                    if (member == null) {
                        return beside;
                    }
                    member.start(core, service);
                    return () -> {
                        member.close(); // first: initiators move their I/O while the control socket still answers
                        beside.close();
                    };
                });
        if (gateway != null) {
            gateway.close();
        }
        return rc;
    }

    private AutoCloseable started(TargetCore core, ControlService service) throws Exception {
        ControlServer control = ControlServer.start(controlSocket, service::handle);
        if (metrics == null) {
            return control;
        }
        try {
            AutoCloseable endpoint = MetricsEndpoint.start(metrics, core);
            return () -> {
                endpoint.close();
                control.close();
            };
        } catch (Exception e) {
            control.close();
            throw e;
        }
    }
}
