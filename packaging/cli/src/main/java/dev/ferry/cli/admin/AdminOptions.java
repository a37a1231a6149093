package dev.ferry.cli.admin;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every admin command has: where the daemon is, and how to print. */
public final class AdminOptions {
    public enum Output { text, json }

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = dev.ferry.cli.AdminDefaults.SOCKET,
            description = "the daemon's control socket (default ${DEFAULT-VALUE}; env FERRY_CONTROL_SOCKET)")
    Path controlSocket;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default ${DEFAULT-VALUE})")
    Output output;

    boolean json() {
        return output == Output.json;
    }
}
