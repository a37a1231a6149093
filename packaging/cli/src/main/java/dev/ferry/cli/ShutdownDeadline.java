package dev.ferry.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Bounds a shutdown by an absolute deadline: the closing thread names each step as it starts it, and if the
 * whole shutdown has not finished by the deadline, a watchdog logs the step that did not stop (and where its
 * thread waits) and halts the JVM. A stuck event loop or backend call thus cannot keep SIGTERM from ending the
 * process.
 */
final class ShutdownDeadline {
    /** From the signal to the halt; systemd's default stop timeout (90 s) leaves room for it. */
    static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final int STACK_FRAMES = 12;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread closer;
    private volatile String step = "starting";

    private ShutdownDeadline(Thread closer) {
        this.closer = closer;
    }

    /** Starts the watchdog for the calling thread, which then closes everything and calls {@link #finished()}. */
    static ShutdownDeadline start(Duration deadline, PrintWriter err) {
        ShutdownDeadline d = new ShutdownDeadline(Thread.currentThread());
        Thread watchdog = new Thread(() -> d.watch(deadline, err), "ferry-shutdown-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
        return d;
    }

    /** What is being closed now, named in the log if it does not stop in time. */
    void step(String what) {
        step = what;
    }

    void finished() {
        finished.countDown();
    }

    private void watch(Duration deadline, PrintWriter err) {
        try {
            if (finished.await(deadline.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            return; // nobody interrupts this thread; without a deadline to keep, let the shutdown go on
        }
        StringBuilder at = new StringBuilder();
        Arrays.stream(closer.getStackTrace()).limit(STACK_FRAMES).forEach(f -> at.append("\n    at ").append(f));
        err.println("ferry: shutdown did not finish within " + deadline.toSeconds() + " s: " + step
                + " did not stop; halting (exit " + ExitCodes.SHUTDOWN_TIMEOUT + "). It waits" + at);
        err.flush();
        Runtime.getRuntime().halt(ExitCodes.SHUTDOWN_TIMEOUT);
    }
}
