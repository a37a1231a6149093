package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketBoundsAreExactDecimals() {
        assertEquals(0, LatencyHistogram.indexOf(0));
        assertEquals(0, LatencyHistogram.indexOf(999));
        assertEquals(1, LatencyHistogram.indexOf(1_000));
        assertEquals(1, LatencyHistogram.indexOf(1_099));
        assertEquals(2, LatencyHistogram.indexOf(1_100));
        assertEquals(90, LatencyHistogram.indexOf(9_999));
        assertEquals(91, LatencyHistogram.indexOf(10_000), "a new decade: 10 us .. 11 us");
        assertEquals(11_000, LatencyHistogram.upperBoundNanos(91));
        assertEquals(1_000, LatencyHistogram.upperBoundNanos(0));
        assertEquals(1_100, LatencyHistogram.upperBoundNanos(1));
        assertEquals(10_000, LatencyHistogram.upperBoundNanos(90));
        assertEquals(LatencyHistogram.MAX_NANOS, LatencyHistogram.upperBoundNanos(LatencyHistogram.BUCKETS - 2));
        assertEquals(LatencyHistogram.BUCKETS - 2, LatencyHistogram.indexOf(9_999_999_999L));
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.indexOf(10_000_000_000L));
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.indexOf(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, LatencyHistogram.upperBoundNanos(LatencyHistogram.BUCKETS - 1));
    }

    @Test
    void everyTrackedValueLiesInItsBucketWithinTenPercent() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long v = (long) Math.pow(10, 3 + 7 * random.nextDouble());
            int index = LatencyHistogram.indexOf(v);
            long upper = LatencyHistogram.upperBoundNanos(index);
            long lower = LatencyHistogram.upperBoundNanos(index - 1);
            assertTrue(lower <= v && v < upper, v + " in [" + lower + ", " + upper + ")");
            assertTrue(upper - lower <= lower / 10, "bucket [" + lower + ", " + upper + ") wider than 10%");
        }
    }

    @Test
    void p99OfAConstructedSample() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 990; i++) {
            h.record(50_000);           // 50 us
        }
        for (int i = 0; i < 10; i++) {
            h.record(3_456_000);        // 3.456 ms
        }
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(1000, s.total());
        assertEquals(51_000, s.percentileNanos(0.99), "the 990th of 1000 is still 50 us: bucket [50, 51) us");
        assertEquals(3_500_000, s.percentileNanos(0.991), "the 991st is in the tail bucket [3.4, 3.5) ms");
        assertEquals(51_000, s.percentileNanos(0.5));
        assertEquals(3_500_000, s.percentileNanos(1.0));
    }

    @Test
    void p99OfAUniformDistributionIsWithinOneBucket() {
        LatencyHistogram h = new LatencyHistogram();
        for (long us = 1; us <= 10_000; us++) {
            h.record(us * 1_000);
        }
        // The true p99 is 9.9 ms, the first value of bucket [9.9, 10) ms.
        assertEquals(10_000_000, h.snapshot().percentileNanos(0.99));
        assertEquals(5_100_000, h.snapshot().percentileNanos(0.5), "5 ms is in [5.0, 5.1) ms");
    }

    @Test
    void outOfRangeSamplesAreCountedAtTheEnds() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(10);
        h.record(-5);
        h.record(60_000_000_000L);
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(1_000, s.percentileNanos(0.5));
        assertEquals(LatencyHistogram.MAX_NANOS, s.percentileNanos(1.0));
        assertEquals(0, LatencyHistogram.Snapshot.EMPTY.percentileNanos(0.99));
    }

    @Test
    void intervalPercentileIsThatOfTheDifference() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 10_000; i++) {
            h.record(8_000_000);        // a slow past: 8 ms
        }
        LatencyHistogram.Snapshot before = h.snapshot();
        for (int i = 0; i < 100; i++) {
            h.record(20_000);           // a fast interval: 20 us
        }
        LatencyHistogram.Snapshot after = h.snapshot();
        assertEquals(8_100_000, after.percentileNanos(0.99));
        LatencyHistogram.Snapshot interval = after.minus(before);
        assertEquals(100, interval.total());
        assertEquals(21_000, interval.percentileNanos(0.99));
    }

    @Test
    void cumulativeCountsAtPrometheusBounds() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(500);
        h.record(1_999);
        h.record(2_000);
        h.record(4_999_999);
        LatencyHistogram.Snapshot s = h.snapshot();
        assertEquals(1, s.countBelow(1_000));
        assertEquals(2, s.countBelow(2_000), "le is exclusive of the bucket starting at the bound");
        assertEquals(3, s.countBelow(5_000));
        assertEquals(4, s.countBelow(5_000_000));
    }

    @Test
    void compactFormRoundTrips() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_234);
        h.record(1_234);
        h.record(777_777_777);
        h.record(Long.MAX_VALUE);
        LatencyHistogram.Snapshot s = h.snapshot();
        Map<Long, Long> compact = s.nonEmpty();
        assertEquals(Map.of(1_300L, 2L, 780_000_000L, 1L, Long.MAX_VALUE, 1L), compact);
        assertEquals(compact, LatencyHistogram.Snapshot.ofNonEmpty(compact).nonEmpty());
        assertThrows(IllegalArgumentException.class, () -> LatencyHistogram.Snapshot.ofNonEmpty(Map.of(1_250L, 1L)));
    }
}
