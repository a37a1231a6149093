package dev.ferry.core.unit;

import dev.ferry.core.request.BlockRequest;

/**
 * Counters and latency histograms for one unit (latency is submit to delivery, so it includes queueing in the
 * rings). Each event loop counts the requests it delivers in its own {@link LoopStatistics}; a reader sums the loops,
 * so a sum taken while requests complete may miss the latest few, never counts one twice.
 */
public final class UnitStatistics {
    private final long startedNanos = System.nanoTime();
    private final PerLoop<LoopStatistics> loops = new PerLoop<>(LoopStatistics::new);

    /** Counts a request as it is delivered, on the thread of its completion queue. */
    void record(BlockRequest r, int blockSize) {
        loops.get(r.owner().index()).record(r.op(), r.status(), (long) r.blocks() * blockSize,
                System.nanoTime() - r.submitNanos());
    }

    public long reads() { return sum(LoopStatistics.READS); }
    public long writes() { return sum(LoopStatistics.WRITES); }
    public long readBytes() { return sum(LoopStatistics.READ_BYTES); }
    public long writeBytes() { return sum(LoopStatistics.WRITE_BYTES); }
    public long readNanos() { return sum(LoopStatistics.READ_NANOS); }
    public long writeNanos() { return sum(LoopStatistics.WRITE_NANOS); }
    public long errors() { return sum(LoopStatistics.ERRORS); }

    /** The read latencies of every loop so far, summed into a new histogram. */
    public LatencyHistogram readLatency() {
        LatencyHistogram sum = new LatencyHistogram();
        loops.forEach(l -> l.readLatency.addTo(sum));
        return sum;
    }

    /** The write latencies of every loop so far, summed into a new histogram. */
    public LatencyHistogram writeLatency() {
        LatencyHistogram sum = new LatencyHistogram();
        loops.forEach(l -> l.writeLatency.addTo(sum));
        return sum;
    }

    /** When counting began ({@link System#nanoTime()}): the unit's opening, so rates since start divide by this. */
    public long startedNanos() { return startedNanos; }

    private long sum(int counter) {
        long[] sum = {0};
        loops.forEach(l -> sum[0] += l.get(counter));
        return sum[0];
    }
}
