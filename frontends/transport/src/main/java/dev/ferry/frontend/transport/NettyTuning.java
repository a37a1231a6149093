package dev.ferry.frontend.transport;

/**
 * Netty settings the daemon sets before any Netty class loads (the test JVMs get the same from the parent pom).
 *
 * <p>{@code io.netty.recycler.chunkSize=256}: Netty's Recycler returns objects (outbound buffer entries, pooled
 * buffer handles) through a queue of 32-slot chunks and allocates a new chunk whenever one flush recycles more than
 * that, so at queue depth 32 a response's three outbound buffers cost ~14 bytes per I/O; 256-slot chunks keep the
 * steady path allocation-free at every depth (the allocation tests measure with them).
 */
public final class NettyTuning {
    private NettyTuning() {
    }

    /** Sets each property the command line or environment has not set already. */
    public static void apply() {
        if (System.getProperty("io.netty.recycler.chunkSize") == null) {
            System.setProperty("io.netty.recycler.chunkSize", "256");
        }
    }
}
