package dev.ferry.cli.admin;

import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.control.ControlRequest;
import dev.ferry.core.TargetCore;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.FerryConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
        description = "Show, export, import or check the whole configuration. Secrets appear as their file paths only.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Export.class, ConfigCommand.Import.class,
                ConfigCommand.Validate.class})
public final class ConfigCommand extends CommandGroup {

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class, description = "Print the running configuration (JSON).")
    static final class Show implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;

        @Override
        public Integer call() {
            AdminCall call = new AdminCall(spec, admin);
            return call.exchange(() -> {
                call.out().println(ConfigLoader.toJson(call.request(ControlRequest.of(ControlRequest.GET_CONFIG)).config()));
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Write the running configuration to FILE (atomically), or print it without FILE.")
    static final class Export implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(arity = "0..1", paramLabel = "FILE") Path file;

        @Override
        public Integer call() {
            AdminCall call = new AdminCall(spec, admin);
            return call.exchange(() -> {
                String json = ConfigLoader.toJson(call.request(ControlRequest.of(ControlRequest.GET_CONFIG)).config());
                if (file == null) {
                    call.out().println(json);
                } else {
                    dev.ferry.cli.control.AtomicFiles.replace(file, (json + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
                    call.out().println("ferry: configuration written to " + file);
                }
                return ExitCodes.OK;
            });
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Replace the running configuration with FILE, live; refused as a whole if anything is wrong.")
    static final class Import implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin AdminOptions admin;
        @Parameters(paramLabel = "FILE") Path file;

        @Override
        public Integer call() {
            FerryConfig next;
            try {
                next = ConfigLoader.read(file);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("ferry: cannot import " + file + ": " + String.join("; ", e.problems()));
                return ExitCodes.INVALID_CONFIG;
            }
            return new AdminCall(spec, admin).change("configuration imported from " + file, c -> next);
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
            description = "Check a configuration file here, without the daemon; prints every problem with its field.")
    static final class Validate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "FILE") Path file;

        @Override
        public Integer call() {
            try {
                FerryConfig c = ConfigLoader.read(file);
                TargetCore.validate(c);
                spec.commandLine().getOut().printf("%s is valid: %d backstore(s), %d target(s)%n", file,
                        c.backstores().size(), c.targets().size());
                return ExitCodes.OK;
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("ferry: invalid configuration " + file + ":");
                e.problems().forEach(p -> spec.commandLine().getErr().println("  - " + p));
                return ExitCodes.INVALID_CONFIG;
            }
        }
    }
}
