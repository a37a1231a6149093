package dev.ferry.core.ring;

import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Netty I/O event loop (NIO) that counts the tasks handed to it with {@link #execute}, so a test can tell a
 * completion delivered by a task hand-off from one delivered at the end of the loop iteration.
 */
public final class CountingEventLoop extends SingleThreadIoEventLoop implements AutoCloseable {
    private final AtomicInteger executes = new AtomicInteger();

    public CountingEventLoop(String name) {
        super(null, new DefaultThreadFactory(name), NioIoHandler.newFactory());
    }

    @Override
    public void execute(Runnable task) {
        executes.incrementAndGet();
        super.execute(task);
    }

    /** Tasks handed over with {@link #execute} so far. */
    public int executes() {
        return executes.get();
    }

    /** Runs {@code action} on the loop and waits for it. */
    public void run(Runnable action) throws Exception {
        submit(action).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        shutdownGracefully(0, 0, TimeUnit.SECONDS).await(60, TimeUnit.SECONDS);
    }
}
