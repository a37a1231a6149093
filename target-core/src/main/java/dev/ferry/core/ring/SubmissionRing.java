package dev.ferry.core.ring;

import dev.ferry.core.request.BlockRequest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;

/**
 * The forward path into one backend worker: a bounded MPSC ring (every frontend event loop may produce, one
 * worker consumes) plus the wake-up handshake. The worker parks only after announcing it is about to sleep and
 * re-checking the ring, so a producer unparks it only when it may really be asleep.
 */
public final class SubmissionRing {
    private final MpscArrayQueue<BlockRequest> ring;
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private volatile Thread consumer;

    public SubmissionRing(int capacity) {
        this.ring = new MpscArrayQueue<>(capacity);
    }

    /** Offers a request; {@code false} when the ring is full (the caller answers busy). Any thread. */
    public boolean offer(BlockRequest r) {
        if (!ring.offer(r)) {
            return false;
        }
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            LockSupport.unpark(consumer);
        }
        return true;
    }

    /** The next request, or {@code null}. Consumer thread only. */
    public BlockRequest poll() {
        return ring.poll();
    }

    /**
     * Waits until a request may be available or {@code maxNanos} passed. Consumer thread only.
     */
    public void await(long maxNanos) {
        consumer = Thread.currentThread();
        sleeping.set(true);
        if (!ring.isEmpty()) {
            sleeping.set(false);
            return;
        }
        LockSupport.parkNanos(this, maxNanos);
        sleeping.set(false);
    }

    public int size() {
        return ring.size();
    }
}
