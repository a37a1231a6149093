package dev.ferry.core.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.request.RequestCompletion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Completions reach the owning Netty loop: one posted on the loop at the end of that loop iteration, after the tasks
 * it runs and without a task of its own; one posted by another thread by one task per burst.
 */
class CompletionQueueOnLoopTest {
    private final CountingEventLoop loop = new CountingEventLoop("cq-loop");
    private final CompletionQueue cq = new CompletionQueue(loop, 8);
    private final List<String> events = new ArrayList<>(); // touched on the loop only
    private final CountDownLatch delivered = new CountDownLatch(2);

    @AfterEach
    void stop() throws InterruptedException {
        loop.close();
    }

    private BlockRequest request(String name) {
        return cq.acquire().set(BlockOp.FLUSH, 0, 0, null, deliveredAs(name), name);
    }

    private RequestCompletion deliveredAs(String name) {
        return r -> {
            events.add((loop.inEventLoop() ? "delivered on the loop: " : "delivered elsewhere: ") + name);
            r.release();
            delivered.countDown();
        };
    }

    @Test
    void aCompletionPostedOnTheLoopIsDeliveredAtTheEndOfTheIterationWithoutATask() throws Exception {
        int[] tasksForThePosts = {-1};
        loop.run(() -> {
            BlockRequest a = request("a");
            BlockRequest b = request("b");
            int before = loop.executes();
            a.complete(CompletionStatus.GOOD);
            b.complete(CompletionStatus.GOOD);
            tasksForThePosts[0] = loop.executes() - before;
            events.add("posted");
            // A task queued after the posts still runs before them: they wait for the end of the iteration.
            loop.execute(() -> events.add("task queued after the posts"));
        });
        assertTrue(delivered.await(60, TimeUnit.SECONDS));
        loop.run(() -> {
            assertEquals(List.of("posted", "task queued after the posts", "delivered on the loop: a",
                    "delivered on the loop: b"), events);
            assertEquals(0, cq.inFlight());
        });
        assertEquals(0, tasksForThePosts[0], "completions posted on the loop were handed over as a task");
    }

    @Test
    void aBurstPostedByAnotherThreadIsDeliveredOnTheLoopByOneTask() throws Exception {
        BlockRequest[] requests = new BlockRequest[2];
        loop.run(() -> {
            requests[0] = request("a");
            requests[1] = request("b");
        });
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                release.await(); // the loop is busy while the worker posts, so both share one wake-up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int before = loop.executes();
        requests[0].complete(CompletionStatus.GOOD);
        requests[1].complete(CompletionStatus.GOOD);
        assertEquals(1, loop.executes() - before, "one task wakes the loop for the burst");
        release.countDown();
        assertTrue(delivered.await(60, TimeUnit.SECONDS));
        loop.run(() -> assertEquals(List.of("delivered on the loop: a", "delivered on the loop: b"), events));
    }

    @Test
    void aFailingCallbackOnTheLoopDoesNotStrandTheCompletionsBehindIt() throws Exception {
        loop.run(() -> {
            cq.acquire().set(BlockOp.FLUSH, 0, 0, null, r -> {
                delivered.countDown();
                throw new Error("injected in one connection's callback");
            }, "failing").complete(CompletionStatus.GOOD);
            request("other").complete(CompletionStatus.GOOD);
        });
        assertTrue(delivered.await(60, TimeUnit.SECONDS));
        loop.run(() -> assertEquals(List.of("delivered on the loop: other"), events));
        // The drain is not left marked as scheduled: a later post on the loop is delivered too.
        CountDownLatch later = new CountDownLatch(1);
        loop.run(() -> cq.acquire().set(BlockOp.FLUSH, 0, 0, null, r -> later.countDown(), null)
                .complete(CompletionStatus.GOOD));
        assertTrue(later.await(60, TimeUnit.SECONDS));
    }
}
