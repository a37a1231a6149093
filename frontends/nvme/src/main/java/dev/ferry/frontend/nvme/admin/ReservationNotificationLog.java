package dev.ferry.frontend.nvme.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;

/**
 * The Reservation Notification log page queue of one controller (NVMe Base 2.0 5.16.1.25 Figure 263, LID 80h):
 * each read returns the oldest notification and removes it; with none queued the page is all zeroes. The queue is
 * bounded by {@link #CAPACITY}: a notification that finds it full is lost, and the Log Page Count of the last queued
 * page is advanced to the lost one's count, so the host sees the gap in counts between that page and the next.
 *
 * <pre>
 * Bytes 0-7    Log Page Count: 64-bit, 1 for the first notification, rolling over from FFFFFFFF_FFFFFFFFh to 1
 *              (0 means an empty page)
 * Byte 8       Reservation Notification Log Page Type: 0 empty, 1 Registration Preempted, 2 Reservation Released,
 *              3 Reservation Preempted
 * Byte 9       Number of Available Log Pages: queued after this one, FFh at most
 * Bytes 12-15  Namespace ID
 * </pre>
 */
public final class ReservationNotificationLog {
    public static final int SIZE = 64;
    /** Queued notifications at most per controller, as nvmet (NVMET_PR_LOG_QUEUE_SIZE). */
    public static final int CAPACITY = 64;
    public static final int REGISTRATION_PREEMPTED = 1;
    public static final int RESERVATION_RELEASED = 2;
    public static final int RESERVATION_PREEMPTED = 3;
    static final int COUNT = 0;
    static final int TYPE = 8;
    static final int AVAILABLE = 9;
    static final int NSID = 12;

    private static final class Page {
        long count;
        final int type;
        final long nsid;

        Page(long count, int type, long nsid) {
            this.count = count;
            this.type = type;
            this.nsid = nsid;
        }
    }

    private final ArrayDeque<Page> queue = new ArrayDeque<>();
    private long counter;

    /** Queues a notification, or accounts for it as lost when the queue is full. */
    public synchronized void add(int type, long nsid) {
        counter = counter == -1L ? 1 : counter + 1;
        if (queue.size() < CAPACITY) {
            queue.add(new Page(counter, type, nsid));
        } else {
            queue.peekLast().count = counter;
        }
    }

    public synchronized boolean isEmpty() {
        return queue.isEmpty();
    }

    /** The page for a Get Log Page: the oldest notification, which it removes, or an empty page. */
    public synchronized ByteBuf take() {
        ByteBuf b = Unpooled.buffer(SIZE, SIZE).writeZero(SIZE);
        Page p = queue.poll();
        if (p != null) {
            b.setLongLE(COUNT, p.count);
            b.setByte(TYPE, p.type);
            b.setByte(AVAILABLE, Math.min(queue.size(), 0xFF));
            b.setIntLE(NSID, (int) p.nsid);
        }
        return b;
    }
}
