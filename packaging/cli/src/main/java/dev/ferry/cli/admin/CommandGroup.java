package dev.ferry.cli.admin;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: run alone it is a usage error naming them. */
abstract class CommandGroup implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (" + String.join(", ", spec.subcommands().keySet().stream()
                        .filter(n -> !n.equals("help")).toList()) + ")");
    }
}
