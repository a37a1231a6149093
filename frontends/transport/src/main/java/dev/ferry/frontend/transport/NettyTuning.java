package dev.ferry.frontend.transport;

/**
 * Netty settings the daemon sets before any Netty class loads (the test JVMs get the same from the parent pom).
 *
 * <p>{@code io.netty.recycler.chunkSize=256}: Netty's Recycler returns objects (outbound buffer entries, pooled
 * buffer handles) through a queue of 32-slot chunks and allocates a new chunk whenever one flush recycles more than
 * that, so at queue depth 32 a response's three outbound buffers cost ~14 bytes per I/O; 256-slot chunks keep the
 * steady path allocation-free at every depth (the allocation tests measure with them).
 *
 * <p>{@code io.netty.leakDetection.level=disabled}: Netty's default (SIMPLE) records a stack trace for one buffer
 * in 128, tens of bytes per I/O on the serving threads, to report a leak after the fact. Every test runs at PARANOID
 * and fails on a leak; an admin who suspects one in the field turns it back on with
 * {@code FERRY_JAVA_OPTS=-Dio.netty.leakDetection.level=simple}.
 */
public final class NettyTuning {
    private NettyTuning() {
    }

    /** Sets each property the command line or environment has not set already. */
    public static void apply() {
        if (System.getProperty("io.netty.recycler.chunkSize") == null) {
            System.setProperty("io.netty.recycler.chunkSize", "256");
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
    }
}
