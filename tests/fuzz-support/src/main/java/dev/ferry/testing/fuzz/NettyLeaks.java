package dev.ferry.testing.fuzz;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Turns a leaked {@link ByteBuf} into a test failure. Netty's detector only logs a leak, and only once the leaked
 * buffer was garbage collected and a later buffer is allocated; this records every such report so that a fuzz target
 * can fail on it. {@link #watch} sets the PARANOID level (every buffer tracked) and listens on the detector all
 * {@code ByteBuf}s share; {@link #assertNone} fails on any leak reported so far (cheap: call it after each input);
 * {@link #collectAndAssertNone} forces a collection first (call it once, after the last input).
 */
public final class NettyLeaks {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static boolean listening;

    private NettyLeaks() {
    }

    public static synchronized void watch() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        if (listening) {
            return;
        }
        detector().setLeakListener((type, records) -> LEAKS.add(type + " leaked:\n" + records));
        listening = true;
    }

    /** Fails if a leak was reported since {@link #watch} or the last failed check. */
    public static void assertNone() {
        String leak = LEAKS.poll();
        if (leak != null) {
            LEAKS.clear(); // each report fails one check, not every later one in this JVM
            throw new AssertionError(leak);
        }
    }

    /**
     * Collects garbage, then allocates tracked buffers so the detector drains its reference queue (reports happen
     * only on allocation), then fails on any leak.
     */
    public static void collectAndAssertNone() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 64; j++) {
                PooledByteBufAllocator.DEFAULT.heapBuffer(16).release();
            }
        }
        assertNone();
    }

    @SuppressWarnings("unchecked")
    private static ResourceLeakDetector<ByteBuf> detector() {
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            return (ResourceLeakDetector<ByteBuf>) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Netty's ByteBuf leak detector moved", e);
        }
    }
}
