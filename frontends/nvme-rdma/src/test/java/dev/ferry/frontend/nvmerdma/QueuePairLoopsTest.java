package dev.ferry.frontend.nvmerdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class QueuePairLoopsTest {
    @Test
    void aTaskThatThrowsDoesNotStopTheLoop() throws Exception {
        EventExecutorGroup group = QueuePairLoops.create(1, r -> new Thread(r, "test-loop"));
        try {
            EventExecutor loop = group.next();
            loop.execute(() -> {
                throw new IllegalStateException("a completion callback failed");
            });
            CountDownLatch ran = new CountDownLatch(1);
            String[] thread = new String[1];
            loop.execute(() -> {
                thread[0] = Thread.currentThread().getName();
                ran.countDown();
            });
            assertTrue(ran.await(30, TimeUnit.SECONDS), "the task after the failing one never ran");
            assertEquals("test-loop", thread[0]);
            assertFalse(loop.isTerminated());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertTrue(group.isTerminated());
    }
}
