package dev.ferry.bench.initiator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random 4 KiB reads or writes at queue depth 1 over a region of the device: every command's latency (send to
 * status, System.nanoTime) after a warm-up, as exact percentiles of the sorted samples. Reads first write the
 * region once, so a target backed by a sparse file or lazily allocated memory is read where it holds data.
 */
final class Qd1Latency {
    static final int IO_BYTES = 4096;

    record Result(long ios, double seconds, double p50Micros, double p99Micros, double meanMicros) { }

    private Qd1Latency() {
    }

    static Result run(BlockDevice device, boolean write, long regionBytes, double warmUpSeconds, double seconds)
            throws IOException {
        int perIo = IO_BYTES / device.blockSize();
        long units = regionBytes / IO_BYTES;
        ByteBuffer buffer = ByteBuffer.allocateDirect(IO_BYTES);
        for (int i = 0; i < IO_BYTES; i += Long.BYTES) {
            buffer.putLong(i, 0x5a5a_0000_0000_0000L | i);
        }
        if (!write) {
            for (long u = 0; u < units; u++) {
                device.write(u * perIo, buffer);
            }
        }
        SplittableRandom random = new SplittableRandom(42);
        long[] samples = new long[1 << 20];
        int n = 0;
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmUpSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        long t0 = start;
        while (t0 < end) {
            long lba = random.nextLong(units) * perIo;
            if (write) {
                device.write(lba, buffer);
            } else {
                device.read(lba, buffer);
            }
            long t1 = System.nanoTime();
            if (t0 >= measureFrom) {
                if (n == samples.length) {
                    samples = Arrays.copyOf(samples, n * 2);
                }
                samples[n++] = t1 - t0;
            }
            t0 = t1;
        }
        if (n == 0) {
            throw new IOException("no I/O completed in the measured interval");
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        return new Result(n, seconds, percentile(sorted, 0.50) / 1e3, percentile(sorted, 0.99) / 1e3, mean / 1e3);
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }
}
