package dev.ferry.cli;

import dev.ferry.core.config.FerryConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = FerryVersion.class,
        description = "Check a JSON configuration without opening anything; prints every problem with its field.")
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the JSON configuration")
    Path config;

    @Override
    public Integer call() {
        FerryConfig c = ConfigCheck.load(config, spec.commandLine().getErr());
        if (c == null) {
            return ExitCodes.INVALID_CONFIG;
        }
        spec.commandLine().getOut().printf("%s is valid: %d backstore(s), %d target(s)%n",
                config, c.backstores().size(), c.targets().size());
        return ExitCodes.OK;
    }
}
