package dev.ferry.cli;

import dev.ferry.core.config.FerryConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = "Serve the targets of a JSON configuration until Ctrl-C (SIGINT/SIGTERM).")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the JSON configuration")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        FerryConfig c = ConfigCheck.load(config, spec.commandLine().getErr());
        if (c == null) {
            return ExitCodes.INVALID_CONFIG;
        }
        return TargetRunner.runUntilStopped(config.toString(), c, spec.commandLine().getOut(),
                spec.commandLine().getErr(), core -> { });
    }
}
