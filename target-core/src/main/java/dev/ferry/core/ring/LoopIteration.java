package dev.ferry.core.ring;

import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.SingleThreadIoEventLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Work an event loop does once per iteration, after the iteration's I/O and tasks and before it waits again: the
 * core's delivery of completions made on the loop, then the connections' coalesced flushes, so the responses of one
 * iteration leave in one write each.
 */
public final class LoopIteration {
    private LoopIteration() {
    }

    /**
     * Runs {@code task} on {@code loop} at the end of its current iteration (a Netty tail task,
     * {@link SingleThreadEventLoop#executeAfterEventLoopIteration}, on the I/O loops; an ordinary task on other
     * executors, as a {@code DefaultEventLoop} never runs tail tasks). On a loop that takes no more tasks (shutting
     * down) it runs now rather than never. Loop thread only.
     */
    public static void atEnd(Executor loop, Runnable task) {
        try {
            if (loop instanceof SingleThreadIoEventLoop l) {
                l.executeAfterEventLoopIteration(task);
            } else {
                loop.execute(task);
            }
        } catch (RejectedExecutionException shuttingDown) {
            task.run();
        }
    }
}
