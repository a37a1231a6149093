package dev.ferry.core.unit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A log-linear latency histogram from 1 us to 10 s. Each decade [10^k, 10^(k+1)) ns is cut into 90 buckets of width
 * 10^(k-1) ns (so 1.0, 1.1 ... 9.9 times the decade), giving at most 10% relative error; one bucket below 1 us and
 * one at or above 10 s catch the rest. Bucket bounds are exact decimals, so the 1-2-5 bounds a Prometheus histogram
 * exports fall on them.
 *
 * <p>One thread records (the event loop that owns it: {@link UnitStatistics} keeps one per loop and sums them), any
 * thread takes snapshots. Recording is one plain increment made visible with an opaque store: no allocation, no lock,
 * no atomic read-modify-write.
 */
public final class LatencyHistogram {
    /** Lowest tracked latency: the first bucket holds everything below it. */
    public static final long MIN_NANOS = 1_000;
    /** Highest tracked latency: the last bucket holds everything at or above it. */
    public static final long MAX_NANOS = 10_000_000_000L;
    static final int PER_DECADE = 90;
    static final int DECADES = 7;
    /** Underflow, 7 decades of 90, overflow. */
    public static final int BUCKETS = DECADES * PER_DECADE + 2;

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counts = new long[BUCKETS];

    /** Counts one sample. One thread at a time: two recording at once may lose a count. */
    public void record(long nanos) {
        int i = indexOf(nanos);
        COUNT.setOpaque(counts, i, (long) COUNT.getOpaque(counts, i) + 1);
    }

    /** The counts so far; any thread. */
    public Snapshot snapshot() {
        long[] c = new long[BUCKETS];
        addTo(c);
        return new Snapshot(c);
    }

    /** Adds this histogram's counts to {@code sum}, a histogram only the calling thread uses. */
    void addTo(LatencyHistogram sum) {
        addTo(sum.counts);
    }

    private void addTo(long[] sums) {
        for (int i = 0; i < BUCKETS; i++) {
            sums[i] += (long) COUNT.getOpaque(counts, i);
        }
    }

    /** The bucket holding {@code nanos}. */
    static int indexOf(long nanos) {
        if (nanos < MIN_NANOS) {
            return 0;
        }
        if (nanos >= MAX_NANOS) {
            return BUCKETS - 1;
        }
        long width = MIN_NANOS / 10;
        int decade = 0;
        while (nanos >= width * 100) {
            width *= 10;
            decade++;
        }
        return 1 + decade * PER_DECADE + (int) (nanos / width - 10);
    }

    /** Exclusive upper bound of a bucket in nanoseconds; {@link Long#MAX_VALUE} for the overflow bucket. */
    public static long upperBoundNanos(int index) {
        if (index == 0) {
            return MIN_NANOS;
        }
        if (index == BUCKETS - 1) {
            return Long.MAX_VALUE;
        }
        int decade = (index - 1) / PER_DECADE;
        long width = MIN_NANOS / 10;
        for (int i = 0; i < decade; i++) {
            width *= 10;
        }
        return ((index - 1) % PER_DECADE + 11) * width;
    }

    /** Counts per bucket at one moment; differences of two give the distribution of an interval. */
    public record Snapshot(long[] counts) {
        public static final Snapshot EMPTY = new Snapshot(new long[BUCKETS]);

        public Snapshot {
            if (counts.length != BUCKETS) {
                throw new IllegalArgumentException("a snapshot has " + BUCKETS + " buckets, not " + counts.length);
            }
        }

        public long total() {
            return Arrays.stream(counts).sum();
        }

        /** This snapshot less an earlier one of the same histogram. */
        public Snapshot minus(Snapshot earlier) {
            long[] d = new long[BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                d[i] = counts[i] - earlier.counts[i];
            }
            return new Snapshot(d);
        }

        /**
         * The latency at or below which a fraction {@code q} (0 < q <= 1) of the samples fall, as the upper bound of
         * the bucket holding that rank (so never below the true value, at most 10% above it); {@link #MAX_NANOS}
         * when it lies beyond the tracked range, 0 for an empty snapshot.
         */
        public long percentileNanos(double q) {
            long total = total();
            if (total == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * total));
            long seen = 0;
            for (int i = 0; i < BUCKETS - 1; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return upperBoundNanos(i);
                }
            }
            return MAX_NANOS;
        }

        /** Samples below {@code boundNanos}, which must be a bucket bound (a Prometheus {@code le} bucket). */
        public long countBelow(long boundNanos) {
            long n = 0;
            for (int i = 0; i < BUCKETS && upperBoundNanos(i) <= boundNanos; i++) {
                n += counts[i];
            }
            return n;
        }

        /** The non-empty buckets, by upper bound in nanoseconds: a compact form for status reports. */
        public Map<Long, Long> nonEmpty() {
            Map<Long, Long> m = new TreeMap<>();
            for (int i = 0; i < BUCKETS; i++) {
                if (counts[i] != 0) {
                    m.put(upperBoundNanos(i), counts[i]);
                }
            }
            return m;
        }

        /** Rebuilds a snapshot from {@link #nonEmpty()}; a key that is not a bucket bound is refused. */
        public static Snapshot ofNonEmpty(Map<Long, Long> buckets) {
            long[] c = new long[BUCKETS];
            for (Map.Entry<Long, Long> e : buckets.entrySet()) {
                long upper = e.getKey();
                int index = upper == Long.MAX_VALUE ? BUCKETS - 1 : indexOf(upper - 1);
                if (upperBoundNanos(index) != upper) {
                    throw new IllegalArgumentException(upper + " ns is not a bucket bound");
                }
                c[index] = e.getValue();
            }
            return new Snapshot(c);
        }
    }
}
