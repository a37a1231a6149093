package dev.ferry.cli;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.frontend.Frontend;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/** Starts the target, then keeps it up until the JVM is asked to stop, and closes it cleanly from a shutdown hook. */
final class TargetRunner {
    private TargetRunner() {
    }

    /**
     * @param source  what the configuration came from, for error messages
     * @param started told about the running core (to print how to connect) before this blocks
     * @return an exit code when the target could not start; otherwise blocks until the JVM exits
     */
    static int runUntilStopped(String source, FerryConfig config, PrintWriter out, PrintWriter err,
                               Consumer<TargetCore> started) throws InterruptedException {
        TargetCore core;
        try {
            core = TargetCore.start(config);
        } catch (ConfigException e) {
            ConfigCheck.printProblems(source, e, err);
            return ExitCodes.INVALID_CONFIG;
        } catch (Exception e) {
            err.println("ferry: cannot start: " + e.getMessage());
            err.flush();
            return ExitCodes.START_FAILED;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("ferry: stopping: closing connections and flushing backstores");
            out.flush();
            core.close();
            out.println("ferry: stopped cleanly");
            out.flush();
            closed.countDown();
        }, "ferry-shutdown"));

        for (Frontend f : core.frontends()) {
            out.println("ferry: " + f.protocol() + " listening on " + f.boundAddresses().stream()
                    .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList());
        }
        started.accept(core);
        out.println("ferry: running; press Ctrl-C to stop");
        out.flush();
        closed.await(); // only a shutdown (signal, System.exit) ends a running target
        return ExitCodes.OK;
    }
}
