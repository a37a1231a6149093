package dev.ferry.cli;

import dev.ferry.cli.admin.BackstoreCommand;
import dev.ferry.cli.admin.ConfigCommand;
import dev.ferry.cli.admin.IscsiCommand;
import dev.ferry.cli.admin.NvmeCommand;
import dev.ferry.cli.admin.StatusCommand;
import dev.ferry.frontend.transport.NettyTuning;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ferry} command: runs the target ({@code demo}, {@code serve}), checks a configuration, and changes a
 * running daemon through its control socket (backstore, iscsi, nvme, config, status).
 */
@Command(name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        description = "Ferry block-storage target (iSCSI, NVMe/TCP).",
        subcommands = {DemoCommand.class, ServeCommand.class, ValidateCommand.class, DevicesCommand.class, RbdCommand.class, GatewayCommand.class, BackstoreCommand.class,
                IscsiCommand.class, NvmeCommand.class, ConfigCommand.class, StatusCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "2:usage error",
                "3:invalid configuration or refused change (nothing was opened or changed)",
                "4:a backstore could not be opened or a portal could not be bound (a change: nothing changed)",
                "5:no daemon answers on the control socket"})
public final class FerryCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        NettyTuning.apply();
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given streams; returns the exit code (servers return when stopped). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new FerryCli());
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    @Override
    public void run() {
        // "ferry" alone: say what there is to do.
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (" + String.join(", ", spec.subcommands().keySet()) + ")");
    }
}
