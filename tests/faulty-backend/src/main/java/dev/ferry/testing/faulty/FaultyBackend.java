package dev.ferry.testing.faulty;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link Backend} that passes every request to another one unless a test told it to fail: medium errors at chosen
 * LBAs (what a disk with bad sectors returns as EIO), no space from a chosen LBA on (ENOSPC of an exhausted thin
 * pool), latency on the next requests, and stalls that hold every request until the test releases them. Faults are
 * decided when a request is executed, so a test may change them while I/O runs. Thread-safe.
 *
 * <p>A held or delayed request stays with this backend without blocking a core worker: a stall looks to the target
 * like a disk that stopped answering, not like a slow worker pool.
 */
public final class FaultyBackend implements Backend {
    private final Backend inner;
    private final NavigableSet<Long> badForRead = new ConcurrentSkipListSet<>();
    private final NavigableSet<Long> badForWrite = new ConcurrentSkipListSet<>();
    private volatile long noSpaceFrom = Long.MAX_VALUE;
    private final AtomicInteger delayedLeft = new AtomicInteger();
    private volatile long delayNanos;
    private final Object stallLock = new Object();
    private boolean stalled;
    private final List<BlockRequest> held = new ArrayList<>();
    private final AtomicLong injected = new AtomicLong();
    private final AtomicLong passed = new AtomicLong();
    /** Runs delayed and released requests; a daemon so that a test that forgets to close does not hang the JVM. */
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faulty-backend");
        t.setDaemon(true);
        return t;
    });
    private final Consumer<FaultyBackend> onClose;

    public FaultyBackend(Backend inner) {
        this(inner, closed -> { });
    }

    /** {@code onClose} is told when this backend closed (so that a registry forgets it). */
    public FaultyBackend(Backend inner, Consumer<FaultyBackend> onClose) {
        this.inner = inner;
        this.onClose = onClose;
    }

    /** Reads (READ, VERIFY, the compare of COMPARE AND WRITE) touching any of {@code lbas} fail: EIO on read. */
    public FaultyBackend failReads(long... lbas) {
        for (long l : lbas) {
            badForRead.add(l);
        }
        return this;
    }

    /** Writes (WRITE, WRITE ZEROES, COMPARE AND WRITE) touching any of {@code lbas} fail: EIO on write. */
    public FaultyBackend failWrites(long... lbas) {
        for (long l : lbas) {
            badForWrite.add(l);
        }
        return this;
    }

    /** Writes touching block {@code lba} or any later one fail with ENOSPC (the pool behind them is full). */
    public FaultyBackend noSpaceFrom(long lba) {
        noSpaceFrom = lba;
        return this;
    }

    /** The next {@code requests} requests start {@code delay} late (a latency spike). */
    public FaultyBackend delayNext(int requests, Duration delay) {
        delayNanos = delay.toNanos();
        delayedLeft.set(requests);
        return this;
    }

    /** From now on every request is held, unanswered, until {@link #release()}. */
    public FaultyBackend stall() {
        synchronized (stallLock) {
            stalled = true;
        }
        return this;
    }

    /** Ends a stall: the held requests run (in arrival order) and new ones pass again. */
    public void release() {
        List<BlockRequest> go;
        synchronized (stallLock) {
            stalled = false;
            go = new ArrayList<>(held);
            held.clear();
        }
        go.forEach(r -> later.execute(() -> run(r)));
    }

    /** Removes every fault (a stall is released). */
    public FaultyBackend heal() {
        badForRead.clear();
        badForWrite.clear();
        noSpaceFrom = Long.MAX_VALUE;
        delayedLeft.set(0);
        release();
        return this;
    }

    /** Requests held by the current stall. */
    public int heldCount() {
        synchronized (stallLock) {
            return held.size();
        }
    }

    /** Requests this backend failed on purpose so far. */
    public long injectedFaults() {
        return injected.get();
    }

    /** Requests passed to the inner backend so far. */
    public long passedRequests() {
        return passed.get();
    }

    @Override
    public void execute(BlockRequest request) {
        synchronized (stallLock) {
            if (stalled) {
                held.add(request);
                return;
            }
        }
        if (delayedLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            later.schedule(() -> run(request), delayNanos, TimeUnit.NANOSECONDS);
            return;
        }
        run(request);
    }

    private void run(BlockRequest r) {
        BlockOp op = r.op();
        boolean reads = op == BlockOp.READ || op == BlockOp.VERIFY || op == BlockOp.COMPARE_AND_WRITE;
        boolean writes = op == BlockOp.WRITE || op == BlockOp.WRITE_ZEROES || op == BlockOp.COMPARE_AND_WRITE;
        long end = r.lba() + r.blocks(); // exclusive
        Long bad;
        if (reads && (bad = firstIn(badForRead, r.lba(), end)) != null) {
            fail(r, CompletionStatus.MEDIUM_ERROR_READ, bad);
        } else if (writes && (bad = firstIn(badForWrite, r.lba(), end)) != null) {
            fail(r, CompletionStatus.MEDIUM_ERROR_WRITE, bad);
        } else if (writes && end > noSpaceFrom) {
            injected.incrementAndGet();
            r.complete(CompletionStatus.NO_SPACE);
        } else {
            passed.incrementAndGet();
            inner.execute(r);
        }
    }

    private void fail(BlockRequest r, CompletionStatus status, long lba) {
        injected.incrementAndGet();
        r.completeFailedAt(status, lba);
    }

    private static Long firstIn(NavigableSet<Long> lbas, long from, long toExclusive) {
        Long l = lbas.ceiling(from);
        return l != null && l < toExclusive ? l : null;
    }

    @Override
    public BackendDescriptor describe() {
        return inner.describe();
    }

    @Override
    public int workers() {
        return inner.workers();
    }

    @Override
    public BackendDescriptor resize(long capacityBytes) throws BackendException {
        return inner.resize(capacityBytes);
    }

    @Override
    public BackendDescriptor rereadCapacity() throws BackendException {
        return inner.rereadCapacity();
    }

    /** Releases a stall first: the core closes a backend only after its requests completed. */
    @Override
    public void close() {
        release();
        later.shutdown();
        try {
            later.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inner.close();
        onClose.accept(this);
    }
}
