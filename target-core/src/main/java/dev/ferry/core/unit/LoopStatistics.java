package dev.ferry.core.unit;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event loop's share of a unit's {@link UnitStatistics}: written only by that loop as its requests are
 * delivered, with plain increments made visible by opaque stores (no atomic read-modify-write, no allocation), and
 * read by any thread that sums the loops.
 */
final class LoopStatistics {
    static final int READS = 0;
    static final int WRITES = 1;
    static final int READ_BYTES = 2;
    static final int WRITE_BYTES = 3;
    static final int READ_NANOS = 4;
    static final int WRITE_NANOS = 5;
    static final int ERRORS = 6;
    private static final int COUNTERS = 7;
    /** Longs on each side of the counters (128 bytes), so no other loop's counters share their cache lines. */
    private static final int PAD = 16;
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counters = new long[PAD + COUNTERS + PAD];
    final LatencyHistogram readLatency = new LatencyHistogram();
    final LatencyHistogram writeLatency = new LatencyHistogram();

    /** Counts one delivered request. Owning loop only. */
    void record(BlockOp op, CompletionStatus status, long bytes, long nanos) {
        if (status != CompletionStatus.GOOD) {
            add(ERRORS, 1);
        }
        if (op == BlockOp.READ) {
            add(READS, 1);
            add(READ_BYTES, bytes);
            add(READ_NANOS, nanos);
            readLatency.record(nanos);
        } else if (op == BlockOp.WRITE) {
            add(WRITES, 1);
            add(WRITE_BYTES, bytes);
            add(WRITE_NANOS, nanos);
            writeLatency.record(nanos);
        }
    }

    private void add(int counter, long n) {
        COUNTER.setOpaque(counters, PAD + counter, (long) COUNTER.getOpaque(counters, PAD + counter) + n);
    }

    /** One counter ({@link #READS} ...) as far as this thread can see; any thread. */
    long get(int counter) {
        return (long) COUNTER.getOpaque(counters, PAD + counter);
    }
}
