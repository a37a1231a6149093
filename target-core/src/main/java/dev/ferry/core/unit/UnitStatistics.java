package dev.ferry.core.unit;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import java.util.concurrent.atomic.LongAdder;

/** Counters for one unit, updated by every frontend thread as requests complete. */
public final class UnitStatistics {
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder readBytes = new LongAdder();
    private final LongAdder writeBytes = new LongAdder();
    private final LongAdder readNanos = new LongAdder();
    private final LongAdder writeNanos = new LongAdder();
    private final LongAdder errors = new LongAdder();

    void record(BlockRequest r, int blockSize) {
        long nanos = System.nanoTime() - r.submitNanos();
        if (r.status() != dev.ferry.core.request.CompletionStatus.GOOD) {
            errors.increment();
        }
        if (r.op() == BlockOp.READ) {
            reads.increment();
            readBytes.add((long) r.blocks() * blockSize);
            readNanos.add(nanos);
        } else if (r.op() == BlockOp.WRITE) {
            writes.increment();
            writeBytes.add((long) r.blocks() * blockSize);
            writeNanos.add(nanos);
        }
    }

    public long reads() { return reads.sum(); }
    public long writes() { return writes.sum(); }
    public long readBytes() { return readBytes.sum(); }
    public long writeBytes() { return writeBytes.sum(); }
    public long readNanos() { return readNanos.sum(); }
    public long writeNanos() { return writeNanos.sum(); }
    public long errors() { return errors.sum(); }
}
