package dev.ferry.frontend.transport;

import dev.ferry.core.ring.CompletionQueue;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One core {@link CompletionQueue} per event loop, shared by every frontend whose connections run on that loop
 * (iSCSI, NVMe/TCP and NVMe/RDMA queue pairs alike): its pool of {@value #REQUESTS_PER_LOOP} requests is the loop's
 * bound on block requests in flight, whatever protocol they came from, so a loop never holds more than that however
 * many frontends share it, and one protocol filling it pushes back on the others of that loop too (iSCSI shrinks
 * its MaxCmdSN window, NVMe answers Command Interrupted).
 */
public final class LoopCompletionQueues {
    /** Block requests one event loop may have in the backends at once, over every frontend on it. */
    public static final int REQUESTS_PER_LOOP = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(LoopCompletionQueues.class);

    private final Map<EventExecutor, CompletionQueue> queues = new ConcurrentHashMap<>();
    private final int capacity;

    LoopCompletionQueues(int capacity) {
        this.capacity = capacity;
    }

    /** The queue of {@code loop}, made on first use. */
    public CompletionQueue of(EventExecutor loop) {
        CompletionQueue q = queues.get(loop);
        return q != null ? q : queues.computeIfAbsent(loop, l -> new CompletionQueue(l, capacity));
    }

    /**
     * Waits until no request of any loop is with a backend any more (their completions are delivered on the loops,
     * which must outlive them), or until {@code deadlineNanos} ({@link System#nanoTime}). A loop that does not
     * answer (stuck in a task) counts as still busy until the deadline.
     *
     * @return whether every loop was idle before the deadline
     */
    boolean awaitIdle(long deadlineNanos) {
        for (Map.Entry<EventExecutor, CompletionQueue> e : queues.entrySet()) {
            CompletionQueue q = e.getValue();
            while (true) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    if (e.getKey().submit(q::inFlight).get(left, TimeUnit.NANOSECONDS) == 0) {
                        break;
                    }
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (TimeoutException stuck) {
                    return false;
                } catch (Exception ex) {
                    LOG.debug("could not count the requests in flight on {}", e.getKey(), ex);
                    break; // the loop is gone: nothing can complete on it any more
                }
            }
        }
        return true;
    }
}
