package dev.ferry.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Writes the {@code --help} of every ferry command, depth first, into one file: the CLI reference the packages
 * ship in /usr/share/doc/ferry. Run at build time: {@code HelpReference FILE}.
 */
public final class HelpReference {
    private HelpReference() {
    }

    public static void main(String[] args) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8))) {
            write(new CommandLine(new FerryCli()), out);
        }
    }

    private static void write(CommandLine cmd, PrintWriter out) {
        out.println("==== " + cmd.getCommandSpec().qualifiedName());
        out.println(cmd.getUsageMessage(CommandLine.Help.Ansi.OFF));
        cmd.getSubcommands().values().stream().distinct().forEach(sub -> write(sub, out));
    }
}
