package dev.ferry.frontend.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The process-wide loops: one group while any frontend holds a lease, stopped by the last, made again later. */
class SharedEventLoopsTest {

    @Test
    void everyLeaseSharesOneGroupUntilTheLastClosesThenANewOneIsMade() {
        SharedEventLoops.Lease first = SharedEventLoops.acquire();
        SharedEventLoops.Lease second = SharedEventLoops.acquire();
        EventLoopGroup group = first.group();
        assertSame(group, second.group());
        first.close();
        first.close(); // a second close of the same lease must not release the other frontend's loops
        assertFalse(group.isShuttingDown(), "stopped while a frontend still held the loops");
        second.close();
        assertTrue(group.isTerminated(), "the last lease's close did not stop the loops");

        SharedEventLoops.Lease later = SharedEventLoops.acquire();
        try {
            assertNotSame(group, later.group());
            assertFalse(later.group().isShuttingDown());
        } finally {
            later.close();
        }
    }

    @Test
    void oneLoopPerCoreAndOneCompletionQueuePerLoopForEveryFrontend() {
        try (SharedEventLoops.Lease iscsi = SharedEventLoops.acquire();
             SharedEventLoops.Lease nvme = SharedEventLoops.acquire()) {
            Set<EventExecutor> loops = new HashSet<>();
            iscsi.group().forEach(loops::add);
            assertEquals(SharedEventLoops.loopCount(), loops.size());
            for (EventExecutor loop : loops) {
                CompletionQueue q = iscsi.completionQueue(loop);
                assertSame(q, nvme.completionQueue(loop));
                assertEquals(LoopCompletionQueues.REQUESTS_PER_LOOP, q.capacity());
            }
        }
    }

    /** What NVMe/RDMA queue pairs rely on (they used a loop of their own for it): a failing task stops nothing. */
    @Test
    void aTaskThatThrowsDoesNotStopItsLoop() throws Exception {
        try (SharedEventLoops.Lease lease = SharedEventLoops.acquire()) {
            EventExecutor loop = lease.group().next();
            loop.execute(() -> {
                throw new IllegalStateException("a completion callback failed");
            });
            assertEquals("ran", loop.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            assertFalse(loop.isShuttingDown());
        }
    }

    @Test
    void theLastCloseWaitsForARequestInFlightOnItsLoop() throws Exception {
        SharedEventLoops.Lease lease = SharedEventLoops.acquire();
        EventExecutor loop = lease.group().next();
        CompletionQueue q = lease.completionQueue(loop);
        BlockRequest r = loop.submit(q::acquire).get(30, TimeUnit.SECONDS);
        Thread closing = new Thread(lease::close, "closing");
        closing.start();
        // While the request is out, the close waits for it with the loops running; the request then returns.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!waitingForRequests(closing) && closing.isAlive() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertTrue(waitingForRequests(closing), "close did not wait for the request in flight");
        assertFalse(lease.group().isShuttingDown());
        loop.execute(r::release);
        closing.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(closing.isAlive(), "close did not end");
        assertTrue(lease.group().isTerminated());
        assertEquals(0, q.inFlight());
    }

    private static boolean waitingForRequests(Thread closing) {
        for (StackTraceElement e : closing.getStackTrace()) {
            if (e.getClassName().equals(LoopCompletionQueues.class.getName()) && e.getMethodName().equals("awaitIdle")) {
                return true;
            }
        }
        return false;
    }
}
