package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For a loop whose poller cannot watch a file descriptor (a NIO loop, a plain executor): a daemon thread blocks in
 * read(eventfd) and hands the reaping to the loop, at most one hand-off outstanding, so completions still reach
 * the loop that submitted them, one thread hop later than on an epoll loop.
 */
final class ThreadCompletionWatch implements CompletionWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadCompletionWatch.class);
    private static final long JOIN_MILLIS = 5000;

    private final Executor loop;
    private final int eventfd;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable reapTask;
    private final Memory counter = new Memory(8);
    private final Thread thread;
    private volatile boolean stopped;

    ThreadCompletionWatch(Executor loop, int eventfd, Runnable reap, String name) {
        this.loop = loop;
        this.eventfd = eventfd;
        this.reapTask = () -> {
            scheduled.set(false); // before reaping: a completion posted from here on schedules another pass
            reap.run();
        };
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                LibC.read(eventfd, Pointer.nativeValue(counter), 8);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) {
                    continue;
                }
                LOG.error("waiting for io_uring completions failed; they are not reaped any more", e);
                return;
            }
            if (!stopped && scheduled.compareAndSet(false, true)) {
                try {
                    loop.execute(reapTask);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false); // the loop is shutting down: nobody is left to deliver to
                }
            }
        }
    }

    @Override
    public boolean onLoop() {
        return false;
    }

    @Override
    public void close() {
        stopped = true;
        try (Memory one = new Memory(8)) {
            one.setLong(0, 1);
            LibC.write(eventfd, Pointer.nativeValue(one), 8);
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("io_uring completion thread {} did not stop; its eventfd is left open", thread.getName());
            return;
        }
        LibC.close(eventfd);
        counter.close();
    }
}
