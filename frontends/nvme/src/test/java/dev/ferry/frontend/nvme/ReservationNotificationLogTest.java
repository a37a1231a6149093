package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.frontend.nvme.admin.ReservationNotificationLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Reservation Notification log page bytes (NVMe Base 2.0 5.16.1.25 Figure 263) and its bounded queue. */
class ReservationNotificationLogTest {
    static byte[] take(ReservationNotificationLog log) {
        ByteBuf b = log.take();
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    @Test
    void pagesComeOutOldestFirstWithTheirCountTypeAndNamespace() {
        ReservationNotificationLog log = new ReservationNotificationLog();
        assertArrayEquals(new byte[64], take(log), "empty: count 0, type 0");
        log.add(ReservationNotificationLog.REGISTRATION_PREEMPTED, 1);
        log.add(ReservationNotificationLog.RESERVATION_RELEASED, 0x01020304L);
        log.add(ReservationNotificationLog.RESERVATION_PREEMPTED, 7);
        byte[] first = new byte[64];
        first[0] = 1; // Log Page Count 1
        first[8] = 1; // Registration Preempted
        first[9] = 2; // two more available
        first[12] = 1; // NSID 1
        assertArrayEquals(first, take(log));
        byte[] second = new byte[64];
        second[0] = 2;
        second[8] = 2;
        second[9] = 1;
        second[12] = 4;
        second[13] = 3;
        second[14] = 2;
        second[15] = 1;
        assertArrayEquals(second, take(log));
        byte[] third = take(log);
        assertEquals(3, third[0]);
        assertEquals(3, third[8]);
        assertEquals(0, third[9]);
        assertArrayEquals(new byte[64], take(log));
    }

    @Test
    void aFullQueueLosesNotificationsAndTheLastPageCountShowsHowMany() {
        ReservationNotificationLog log = new ReservationNotificationLog();
        int lost = 5;
        for (int i = 0; i < ReservationNotificationLog.CAPACITY + lost; i++) {
            log.add(ReservationNotificationLog.RESERVATION_RELEASED, 1);
        }
        for (int i = 1; i < ReservationNotificationLog.CAPACITY; i++) {
            byte[] p = take(log);
            assertEquals(i, ByteBuffer.wrap(p).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
            assertEquals(ReservationNotificationLog.CAPACITY - i, p[9], "Number of Available Log Pages");
        }
        byte[] last = take(log);
        assertEquals(ReservationNotificationLog.CAPACITY + lost,
                ByteBuffer.wrap(last).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0),
                "the count jumps by the lost notifications");
        assertEquals(0, last[9]);
        assertArrayEquals(new byte[64], take(log), "nothing more is queued: the queue never grew past its bound");
    }
}
