package dev.ferry.frontend.nvmerdma;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.MultithreadEventExecutorGroup;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executors the queue pairs run on. Netty's DefaultEventExecutor lets an exception thrown by a task end its
 * thread: the executor terminates, every queue pair on it stops (a host's Connect then times out) and later CM
 * events are rejected. Here a task that throws is logged and the loop goes on.
 */
final class QueuePairLoops {
    private static final Logger LOG = LoggerFactory.getLogger(QueuePairLoops.class);

    private QueuePairLoops() {
    }

    /** {@code threads} single-threaded executors whose threads {@code threadFactory} makes. */
    static EventExecutorGroup create(int threads, ThreadFactory threadFactory) {
        return new MultithreadEventExecutorGroup(threads, threadFactory) {
            @Override
            protected EventExecutor newChild(Executor executor, Object... args) {
                return new Loop(this, executor);
            }
        };
    }

    /** One queue-pair loop: runs its tasks in order, surviving one that throws. */
    static final class Loop extends SingleThreadEventExecutor {
        Loop(EventExecutorGroup parent, Executor executor) {
            super(parent, executor, true);
        }

        @Override
        protected void run() {
            do {
                Runnable task = takeTask();
                if (task != null) {
                    try {
                        task.run();
                    } catch (Throwable t) {
                        LOG.error("nvme/rdma: a queue-pair task failed", t);
                    }
                    updateLastExecutionTime();
                }
            } while (!confirmShutdown());
        }
    }
}
