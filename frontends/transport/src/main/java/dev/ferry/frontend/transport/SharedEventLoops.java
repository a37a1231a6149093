package dev.ferry.frontend.transport;

import dev.ferry.core.ring.CompletionQueue;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event-loop group of the process, shared by every frontend: iSCSI and NVMe/TCP connections, and NVMe/RDMA
 * queue pairs, run on the same loops, one per core, so the protocols do not compete for the cores with each other's
 * threads, and each loop has one {@link LoopCompletionQueues completion queue} for all of them.
 *
 * <p>Frontends {@link #acquire} a {@link Lease} when they start and close it when they stop. The group is made by
 * the first lease and stopped when the last one closes, first letting requests still with a backend come back
 * (their completions run on the loops), each wait bounded; a frontend started afterwards gets a new group.
 *
 * <p>Listening sockets are on the same loops (no separate accept thread): accepting is rare next to the I/O, Netty
 * accepts at most {@code maxMessagesPerRead} connections per loop iteration so a connect flood cannot hold a loop,
 * and on a machine with few cores an extra thread would be one more to schedule against the I/O.
 */
public final class SharedEventLoops {
    /** System property: how many event loops (default: one per available core). */
    public static final String LOOPS_PROPERTY = "ferry.eventLoops";
    /** How long the last frontend's close waits for requests still with a backend. */
    static final long DRAIN_SECONDS = 5;
    /** How long it then waits for the loops to stop. */
    static final long STOP_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(SharedEventLoops.class);

    /** The running group, or null; guarded by the class. */
    private static SharedEventLoops current;

    private final IoTransport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final LoopCompletionQueues completionQueues;
    /** Leases not yet closed; guarded by the class. */
    private int users;

    private SharedEventLoops(IoTransport transport, int loops) {
        this.transport = transport;
        this.group = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("ferry-io"),
                transport.handlerFactory());
        this.completionQueues = new LoopCompletionQueues(LoopCompletionQueues.REQUESTS_PER_LOOP);
        LOG.info("{} event loops ({})", loops, transport);
    }

    /** A lease on the shared group, which it makes if no frontend holds one. */
    public static Lease acquire() {
        synchronized (SharedEventLoops.class) {
            if (current == null) {
                current = new SharedEventLoops(IoTransport.fromSystemProperty(), loopCount());
            }
            current.users++;
            return new Lease(current);
        }
    }

    /** {@code -Dferry.eventLoops}, or the cores this JVM may use. */
    static int loopCount() {
        int cores = Runtime.getRuntime().availableProcessors();
        int n = Integer.getInteger(LOOPS_PROPERTY, cores);
        if (n < 1) {
            LOG.warn("-D{}={} is not positive; using {}", LOOPS_PROPERTY, n, cores);
            return cores;
        }
        return n;
    }

    private void release() {
        synchronized (SharedEventLoops.class) {
            if (--users > 0) {
                return;
            }
            current = null; // a frontend starting from now on makes a new group, while this one stops
        }
        stop();
    }

    /** Bounded: a loop stuck in a task never answers nor terminates, and shutdown must still end. */
    private void stop() {
        if (!completionQueues.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS))) {
            LOG.warn("requests still in flight after {} s at shutdown", DRAIN_SECONDS);
        }
        if (!group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(STOP_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("event loops did not stop within {} s at shutdown", STOP_SECONDS);
        }
    }

    /** One frontend's use of the shared group; {@link #close} once when the frontend stops (again is a no-op). */
    public static final class Lease implements AutoCloseable {
        private final SharedEventLoops loops;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(SharedEventLoops loops) {
            this.loops = loops;
        }

        public EventLoopGroup group() {
            return loops.group;
        }

        public IoTransport transport() {
            return loops.transport;
        }

        /** The completion queue of {@code loop}, one of {@link #group()}'s, shared with the other frontends. */
        public CompletionQueue completionQueue(EventExecutor loop) {
            return loops.completionQueues.of(loop);
        }

        /**
         * Waits until no request of any loop is with a backend (whichever frontend sent it), or until
         * {@code deadlineNanos} ({@link System#nanoTime}); for a frontend that must not free what its requests
         * point into (NVMe/RDMA's registered memory) while a backend may still use it.
         *
         * @return whether none was in flight before the deadline
         */
        public boolean awaitNoRequestsInFlight(long deadlineNanos) {
            return loops.completionQueues.awaitIdle(deadlineNanos);
        }

        /** The last lease to close stops the loops, after the requests still in flight (both waits bounded). */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                loops.release();
            }
        }
    }
}
