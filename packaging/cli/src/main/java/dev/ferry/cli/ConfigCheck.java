package dev.ferry.cli;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.FerryConfig;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Loads and validates a configuration file, printing every problem with its field. */
final class ConfigCheck {
    private ConfigCheck() {
    }

    /** @return the valid configuration, or null after printing why it is not */
    static FerryConfig load(Path file, PrintWriter err) {
        try {
            FerryConfig config = ConfigLoader.read(file);
            TargetCore.validate(config);
            return config;
        } catch (ConfigException e) {
            printProblems(file.toString(), e, err);
            return null;
        }
    }

    static void printProblems(String source, ConfigException e, PrintWriter err) {
        err.println("ferry: invalid configuration " + source + ":");
        for (String p : e.problems()) {
            err.println("  - " + p);
        }
        err.flush();
    }
}
