package dev.ferry.it;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bytes allocated on the Java heap by every live thread of this JVM, per thread id, from HotSpot's per-thread
 * counters ({@code com.sun.management.ThreadMXBean}). Picking threads by id rather than by name keeps a count
 * right whatever the serving threads are called or however many there are. A thread that ends between two
 * snapshots takes its count with it, so {@link #since} can only undercount by what such a thread allocated.
 */
final class ThreadAllocations {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> bytes;

    private ThreadAllocations(Map<Long, Long> bytes) {
        this.bytes = bytes;
    }

    /** Switches the counters on (HotSpot has them on by default) and fails when this JVM cannot count. */
    static ThreadAllocations take() {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM does not count bytes allocated per thread");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
        long[] ids = THREADS.getAllThreadIds();
        long[] allocated = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, Long> bytes = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (allocated[i] >= 0) { // -1: the thread ended meanwhile
                bytes.put(ids[i], allocated[i]);
            }
        }
        return new ThreadAllocations(bytes);
    }

    /** One thread's share of a difference. */
    record Share(long threadId, String name, long bytes) { }

    /**
     * What every thread allocated since {@code before}, largest first, leaving out {@code excluded} thread ids;
     * a thread started since then counts from zero.
     */
    List<Share> since(ThreadAllocations before, Set<Long> excluded) {
        List<Share> shares = new ArrayList<>();
        bytes.forEach((id, now) -> {
            if (!excluded.contains(id)) {
                long delta = now - before.bytes.getOrDefault(id, 0L);
                if (delta > 0) {
                    ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(id);
                    shares.add(new Share(id, info == null ? "(ended)" : info.getThreadName(), delta));
                }
            }
        });
        shares.sort(Comparator.comparingLong(Share::bytes).reversed());
        return shares;
    }

    static long total(List<Share> shares) {
        return shares.stream().mapToLong(Share::bytes).sum();
    }
}
