package dev.ferry.core.unit;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency histograms for one unit, updated by every frontend thread as requests complete (latency is
 * submit to completion, so it includes queueing in the rings).
 */
public final class UnitStatistics {
    private final long startedNanos = System.nanoTime();
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder readBytes = new LongAdder();
    private final LongAdder writeBytes = new LongAdder();
    private final LongAdder readNanos = new LongAdder();
    private final LongAdder writeNanos = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LatencyHistogram readLatency = new LatencyHistogram();
    private final LatencyHistogram writeLatency = new LatencyHistogram();

    void record(BlockRequest r, int blockSize) {
        long nanos = System.nanoTime() - r.submitNanos();
        if (r.status() != dev.ferry.core.request.CompletionStatus.GOOD) {
            errors.increment();
        }
        if (r.op() == BlockOp.READ) {
            reads.increment();
            readBytes.add((long) r.blocks() * blockSize);
            readNanos.add(nanos);
            readLatency.record(nanos);
        } else if (r.op() == BlockOp.WRITE) {
            writes.increment();
            writeBytes.add((long) r.blocks() * blockSize);
            writeNanos.add(nanos);
            writeLatency.record(nanos);
        }
    }

    public long reads() { return reads.sum(); }
    public long writes() { return writes.sum(); }
    public long readBytes() { return readBytes.sum(); }
    public long writeBytes() { return writeBytes.sum(); }
    public long readNanos() { return readNanos.sum(); }
    public long writeNanos() { return writeNanos.sum(); }
    public long errors() { return errors.sum(); }
    public LatencyHistogram readLatency() { return readLatency; }
    public LatencyHistogram writeLatency() { return writeLatency; }
    /** When counting began ({@link System#nanoTime()}): the unit's opening, so rates since start divide by this. */
    public long startedNanos() { return startedNanos; }
}
