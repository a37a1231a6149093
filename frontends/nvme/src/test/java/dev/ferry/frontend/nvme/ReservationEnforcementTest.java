package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import dev.ferry.core.unit.reservation.ReservationType;
import dev.ferry.frontend.nvme.spec.Status;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NVMe I/O obeys the logical unit's reservation, whichever protocol made it. The SCSI side is represented by the
 * state SCSI PERSISTENT RESERVE OUT (REGISTER, RESERVE) commits to the unit for an iSCSI initiator; this host is
 * not registered, so a Write Exclusive reservation refuses its writes (Reservation Conflict, SCT 0 SC 83h) before
 * any data moves and lets its reads through, and an Exclusive Access one refuses both.
 */
class ReservationEnforcementTest {
    static final Registrant SCSI_INITIATOR = new Registrant("iqn.1994-05.com.redhat:a,i,0x23d000000001",
            "iqn.1994-05.com.redhat:a", "iqn.2026-01.dev.ferry:disk,t,0x0001", 1);

    private static void reserve(LogicalUnit u, ReservationType type) throws Exception {
        synchronized (u.reservations()) {
            u.reservations().commit(new ReservationState(1, false, Map.of(SCSI_INITIATOR, new Registration(0x1234)),
                    type == null ? null : new Reservation(type, SCSI_INITIATOR)), List.of());
        }
    }

    private static ByteBuffer writeZeroes() {
        ByteBuffer wz = ModelHarness.sqe(0x08, 1);
        wz.putLong(40, 0).putInt(48, 0);
        return wz;
    }

    @Test
    void writesConflictWithAWriteExclusiveReservationReadsDoNot() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            LogicalUnit u = h.units.get("disk0");
            byte[] before = new byte[512];
            Arrays.fill(before, (byte) 7);
            assertEquals(0, io.run(IoCommandsTest.rw(0x01, 1, 0, 1), before).status());

            reserve(u, ReservationType.WRITE_EXCLUSIVE);
            assertEquals(Status.RESERVATION_CONFLICT, io.run(IoCommandsTest.rw(0x01, 1, 0, 1), new byte[512]).status());
            assertEquals(Status.RESERVATION_CONFLICT, io.run(writeZeroes(), null).status());
            assertEquals(Status.RESERVATION_CONFLICT, io.run(ModelHarness.sqe(0x00, 1), null).status(), "Flush");
            ByteBuffer compare = IoCommandsTest.rw(0x05, 1, 0, 1);
            compare.put(1, (byte) 0x41);
            ByteBuffer write = IoCommandsTest.rw(0x01, 1, 0, 1);
            write.put(1, (byte) 0x42).putShort(2, (short) 2);
            io.submit(compare, before);
            io.submit(write, new byte[512]);
            assertEquals(Status.RESERVATION_CONFLICT, io.next().status(), "fused Compare and Write");
            assertEquals(Status.ABORTED_MISSING_FUSED, io.next().status());
            ModelHarness.Done read = io.run(IoCommandsTest.rw(0x02, 1, 0, 1), null);
            assertEquals(0, read.status());
            assertArrayEquals(before, read.data(), "no refused write reached the medium");

            reserve(u, ReservationType.EXCLUSIVE_ACCESS);
            assertEquals(Status.RESERVATION_CONFLICT, io.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).status());

            reserve(u, null); // released: the registration alone restricts nothing
            assertEquals(0, io.run(IoCommandsTest.rw(0x01, 1, 0, 1), new byte[512]).status());
        }
    }

    @Test
    void registrantsOnlyReservationsRefuseAnUnregisteredHost() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            reserve(h.units.get("disk0"), ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
            assertEquals(Status.RESERVATION_CONFLICT, io.run(IoCommandsTest.rw(0x01, 1, 0, 1), new byte[512]).status());
            assertEquals(0, io.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).status());
        }
    }

    @Test
    void aScsiReserve6RefusesEverythingFromAnotherInitiator() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            LogicalUnit u = h.units.get("disk0");
            u.reservations().reserveExclusive(SCSI_INITIATOR); // what SCSI RESERVE(6) from that initiator does
            assertEquals(Status.RESERVATION_CONFLICT, io.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).status());
            assertEquals(Status.RESERVATION_CONFLICT, io.run(IoCommandsTest.rw(0x01, 1, 0, 1), new byte[512]).status());
            u.reservations().releaseExclusive(SCSI_INITIATOR);
            assertEquals(0, io.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).status());
        }
    }
}
