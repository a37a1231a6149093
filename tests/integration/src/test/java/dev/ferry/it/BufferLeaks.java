package dev.ferry.it;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Netty's leak detector at PARANOID for the buffers allocated while this is open: every buffer is tracked, and one
 * collected by the GC without its release is reported to {@link #reports()}.
 */
final class BufferLeaks implements AutoCloseable {
    private final ResourceLeakDetector.Level levelBefore = ResourceLeakDetector.getLevel();
    private final List<String> reports = Collections.synchronizedList(new ArrayList<>());

    BufferLeaks() throws InterruptedException {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener((type, records) -> reports.add(type + "\n" + records));
        reports(); // a leak from before (another test in this JVM) is not this one's
        reports.clear();
    }

    /**
     * The leaks found so far. The detector reports a leaked buffer when an allocation follows its collection, so
     * this collects garbage and allocates a few times first.
     */
    List<String> reports() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
            ByteBufAllocator.DEFAULT.heapBuffer(1).release();
        }
        return List.copyOf(reports);
    }

    @Override
    public void close() {
        ByteBufUtil.setLeakListener(null);
        ResourceLeakDetector.setLevel(levelBefore);
    }
}
