package dev.ferry.cli;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.frontend.Frontend;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the target, then keeps it up until the JVM is asked to stop, and closes it from a shutdown hook within
 * {@link ShutdownDeadline#DEADLINE}.
 */
final class TargetRunner {
    private TargetRunner() {
    }

    /** What runs beside a started target (the control socket); what it returns is closed before the target. */
    interface StartHook {
        AutoCloseable started(TargetCore core) throws Exception;
    }

    /**
     * @param source  what the configuration came from, for error messages
     * @param started told about the running core (to print how to connect, to open the control socket) before
     *                this blocks; when it throws, the target is closed and this returns START_FAILED
     * @return an exit code when the target could not start; otherwise blocks until the JVM exits
     */
    static int runUntilStopped(String source, FerryConfig config, PrintWriter out, PrintWriter err,
                               StartHook started) throws InterruptedException {
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
        for (Frontend f : core.frontends()) {
            out.println("ferry: " + f.protocol() + " listening on " + f.boundAddresses().stream()
                    .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList());
        }
        AutoCloseable beside;
        try {
            beside = started.started(core);
        } catch (Exception e) {
            err.println("ferry: cannot start: " + e.getMessage());
            err.flush();
            core.close();
            return ExitCodes.START_FAILED;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("ferry: stopping: closing connections and flushing backstores (at most "
                    + ShutdownDeadline.DEADLINE.toSeconds() + " s)");
            out.flush();
            ShutdownDeadline deadline = ShutdownDeadline.start(ShutdownDeadline.DEADLINE, err);
            deadline.step("the control socket and metrics endpoint");
            closeQuietly(beside);
            core.closeReportingSteps(deadline::step);
            deadline.finished();
            out.println("ferry: stopped cleanly");
            out.flush();
            closed.countDown();
        }, "ferry-shutdown"));

        out.println("ferry: running; press Ctrl-C to stop");
        out.flush();
        closed.await(); // only a shutdown (signal, System.exit) ends a running target
        return ExitCodes.OK;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("ferry: closing: " + e);
        }
    }
}
