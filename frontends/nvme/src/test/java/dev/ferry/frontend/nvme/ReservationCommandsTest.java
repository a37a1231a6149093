package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.UnitReservations;
import dev.ferry.frontend.nvme.spec.Status;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reservation Register/Acquire/Release/Report on the model, with SQEs and data written from NVMe Base 2.0 7.5-7.8
 * (CDW10 at SQE byte 40, CDW11 at 44; keys little-endian in the data).
 */
class ReservationCommandsTest {
    static final int SC_INVALID_FIELD = 0x4002;
    static final int SC_CONFLICT = 0x4083;
    /** The Host Identifier bytes {@link ModelHarness#connectData} sends: the report returns them as they came. */
    static final byte[] HOST_ID = {8, 7, 6, 5, 4, 3, 2, 1, 0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11};

    static ByteBuffer command(int opcode, int cdw10, int dataLength) {
        ByteBuffer b = ModelHarness.withSgl(ModelHarness.sqe(opcode, 1), dataLength);
        b.putInt(40, cdw10);
        return b;
    }

    static byte[] keys(long first, long second) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(first).putLong(second).array();
    }

    static int register(ModelHarness.FakeQueue io, int cdw10, long crkey, long nrkey) throws Exception {
        return io.run(command(0x0D, cdw10, 16), keys(crkey, nrkey)).status();
    }

    static int acquire(ModelHarness.FakeQueue io, int cdw10, long crkey, long prkey) throws Exception {
        return io.run(command(0x11, cdw10, 16), keys(crkey, prkey)).status();
    }

    static int release(ModelHarness.FakeQueue io, int cdw10, long crkey) throws Exception {
        return io.run(command(0x15, cdw10, 8), keys(crkey, 0)).status();
    }

    static ModelHarness.Done report(ModelHarness.FakeQueue io, int bytes, boolean eds) throws Exception {
        ByteBuffer b = command(0x0E, bytes / 4 - 1, bytes);
        b.putInt(44, eds ? 1 : 0);
        return io.run(b, null);
    }

    /** An I/O queue of a second controller, of a host with another Host Identifier. */
    static ModelHarness.FakeQueue otherHost(ModelHarness h, byte lastHostIdByte) throws Exception {
        ModelHarness.FakeQueue admin = h.queue();
        byte[] data = ModelHarness.connectData(0xFFFF, ModelHarness.NQN, ModelHarness.HOST);
        data[15] = lastHostIdByte;
        assertEquals(0, admin.run(ModelHarness.connect(0, 31, 0), data).status());
        admin.run(ModelHarness.propertySet(ControllerProperties.CC, ModelHarness.CC_ENABLE), null);
        ModelHarness.FakeQueue io = h.queue();
        byte[] ioData = ModelHarness.connectData(h.cntlid(admin), ModelHarness.NQN, ModelHarness.HOST);
        ioData[15] = lastHostIdByte;
        assertEquals(0, io.run(ModelHarness.connect(1, 31, 0), ioData).status());
        return io;
    }

    @Test
    void registerAcquireReportReleaseBytes() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            // RREGA 000b register, NRKEY 0x1122334455667788
            assertEquals(0, register(io, 0x0, 0, 0x1122334455667788L));
            assertEquals(0, register(io, 0x0, 0, 0x1122334455667788L), "registering again with the same key");
            assertEquals(SC_CONFLICT, register(io, 0x0, 0, 0x99), "registering again with another key");
            // RACQA 000b acquire, RTYPE 1h Write Exclusive (CDW10 15:8)
            assertEquals(SC_CONFLICT, acquire(io, 0x100, 0x5, 0), "a wrong CRKEY");
            assertEquals(0, acquire(io, 0x100, 0x1122334455667788L, 0));
            assertEquals(0, acquire(io, 0x100, 0x1122334455667788L, 0), "acquiring what it holds");
            assertEquals(SC_CONFLICT, acquire(io, 0x200, 0x1122334455667788L, 0), "another type while holding");

            ModelHarness.Done rep = report(io, 4096, true);
            assertEquals(0, rep.status());
            byte[] expected = new byte[128];
            expected[0] = 2; // GEN: both successful Registers (the repeated one too: every Register counts)
            expected[4] = 1; // RTYPE Write Exclusive
            expected[5] = 1; // REGCTL
            expected[64] = (byte) 0xFF; // CNTLID FFFFh: dynamic controller model
            expected[65] = (byte) 0xFF;
            expected[66] = 1; // RCSTS: holds the reservation
            System.arraycopy(keys(0x1122334455667788L, 0), 0, expected, 72, 8); // RKEY
            System.arraycopy(HOST_ID, 0, expected, 80, 16); // HOSTID
            assertArrayEquals(expected, Arrays.copyOf(rep.data(), 128));
            assertEquals(4096, rep.data().length, "NUMD+1 dwords, zero padded");
            assertEquals(0, rep.data()[128]);

            // RRELA 000b release naming another type: Invalid Field; the right one releases
            assertEquals(SC_INVALID_FIELD, release(io, 0x200, 0x1122334455667788L));
            assertEquals(0, release(io, 0x100, 0x1122334455667788L));
            assertEquals(0, report(io, 64, true).data()[4], "no reservation");
            // RREGA 010b replace, then 001b unregister with IEKEY (bit 3): no CRKEY check
            assertEquals(0, register(io, 0x2, 0x1122334455667788L, 0x42));
            assertEquals(SC_CONFLICT, register(io, 0x1, 0x1122334455667788L, 0), "old key");
            assertEquals(0, register(io, 0x1 | 0x8, 0x7777, 0));
            assertEquals(0, report(io, 64, true).data()[5], "REGCTL 0");
            assertEquals(4, report(io, 64, true).data()[0], "GEN: four successful Registers, nothing else");
        }
    }

    @Test
    void preemptTakesTheReservationAndRemovesTheHolder() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue a = IoCommandsTest.io(h);
            ModelHarness.FakeQueue b = otherHost(h, (byte) 0x99);
            assertEquals(0, register(a, 0, 0, 0xA));
            assertEquals(0, register(b, 0, 0, 0xB));
            assertEquals(0, acquire(a, 0x200, 0xA, 0)); // Exclusive Access
            assertEquals(Status.RESERVATION_CONFLICT, b.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).status());
            assertEquals(SC_CONFLICT, acquire(b, 0x100, 0xB, 0), "acquire while another holds");
            assertEquals(SC_INVALID_FIELD, acquire(b, 0x101, 0xB, 0), "preempt with PRKEY 0, not all-registrants");
            assertEquals(SC_CONFLICT, acquire(b, 0x101, 0xB, 0x77), "preempt naming no registrant");
            assertEquals(0, acquire(b, 0x102, 0xB, 0xA)); // preempt and abort, Write Exclusive
            byte[] rep = report(b, 4096, true).data();
            assertEquals(1, rep[4], "RTYPE now Write Exclusive");
            assertEquals(1, rep[5], "REGCTL: the preempted host is gone");
            assertEquals(0xB, rep[72]);
            assertEquals(SC_CONFLICT, register(a, 0x1, 0xA, 0), "A's registration was removed");
            assertEquals(Status.RESERVATION_CONFLICT, a.run(IoCommandsTest.rw(0x01, 1, 0, 1), new byte[512]).status());
            assertEquals(0, a.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).status(), "reads pass Write Exclusive");
            // Clear (RRELA 001b) by the holder: everything goes
            assertEquals(0, release(b, 0x1, 0xB));
            assertEquals(0, report(b, 64, true).data()[5]);
            assertEquals(0, a.run(IoCommandsTest.rw(0x01, 1, 0, 1), new byte[512]).status());
        }
    }

    /**
     * Preempt and abort: a write of the preempted host that passed its reservation check but still waited for its
     * data is refused once the data arrives, and nothing reaches the medium.
     */
    @Test
    void preemptAndAbortRefusesAWriteStillWaitingForItsData() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue a = IoCommandsTest.io(h);
            ModelHarness.FakeQueue b = otherHost(h, (byte) 0x77);
            assertEquals(0, register(a, 0, 0, 0xA));
            assertEquals(0, register(b, 0, 0, 0xB));
            assertEquals(0, acquire(a, 0x100, 0xA, 0));
            NvmeRequest pending = a.receiveOnly(IoCommandsTest.rw(0x01, 1, 0, 1)); // the holder's write, data to come
            assertEquals(0, acquire(b, 0x102, 0xB, 0xA)); // preempt and abort
            byte[] ones = new byte[512];
            Arrays.fill(ones, (byte) 1);
            a.deliver(pending, ones);
            assertEquals(Status.RESERVATION_CONFLICT, a.next().status());
            assertArrayEquals(new byte[512], b.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).data());
        }
    }

    @Test
    void hostileFieldsAreRefusedAndChangeNothing() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            LogicalUnit u = h.units.get("disk0");
            assertEquals(SC_INVALID_FIELD, register(io, 0x3, 0, 1), "RREGA 011b reserved");
            assertEquals(SC_INVALID_FIELD, register(io, 0x7, 0, 1), "RREGA 111b reserved");
            assertEquals(SC_INVALID_FIELD, register(io, 1 << 30, 0, 1), "CPTPL 01b reserved");
            assertEquals(SC_INVALID_FIELD, register(io, 3 << 30, 0, 1), "CPTPL 11b without a reservation store");
            assertEquals(SC_INVALID_FIELD, register(io, 0, 0, 0), "NRKEY zero");
            assertEquals(ReservationState.EMPTY, u.reservations().state());
            assertEquals(0, register(io, 0, 0, 5));
            assertEquals(SC_INVALID_FIELD, acquire(io, 0x103, 5, 0), "RACQA 011b reserved");
            assertEquals(SC_INVALID_FIELD, acquire(io, 0x108, 5, 0), "IEKEY in Acquire");
            assertEquals(SC_INVALID_FIELD, acquire(io, 0x000, 5, 0), "RTYPE 0");
            assertEquals(SC_INVALID_FIELD, acquire(io, 0x700, 5, 0), "RTYPE 7h reserved");
            assertEquals(SC_INVALID_FIELD, release(io, 0x102, 5), "RRELA 010b reserved");
            assertEquals(SC_INVALID_FIELD, release(io, 0x108, 5), "IEKEY in Release");
            assertEquals(Status.DATA_SGL_LENGTH_INVALID,
                    io.run(command(0x0D, 0, 8), keys(0, 9)).status(), "Register data shorter than its 16 bytes");
            assertEquals(Status.DATA_SGL_LENGTH_INVALID,
                    io.run(command(0x15, 0, 4), keys(5, 0)).status(), "Release data shorter than 8 bytes");
            assertEquals(Status.DATA_SGL_LENGTH_INVALID,
                    io.run(command(0x11, 0x100, 1 << 20), keys(5, 0)).status(), "far more data than the keys");
            assertEquals(0x4018, report(io, 4096, false).status(), "EDS=0: Host Identifier Inconsistent Format");
            ByteBuffer huge = command(0x0E, 0xFFFFFFFF, 4096);
            huge.putInt(44, 1);
            assertEquals(SC_INVALID_FIELD, io.run(huge, null).status(), "NUMD beyond MDTS");
            assertEquals(Status.DATA_SGL_LENGTH_INVALID, io.run(command(0x0E, 1023, 64).putInt(44, 1), null).status(),
                    "NUMD beyond the SGL");
            assertEquals(1, u.reservations().state().registrations().size());
            assertEquals(null, u.reservations().state().reservation());
            assertEquals(Status.INVALID_NAMESPACE, io.run(command(0x0D, 0, 16).putInt(4, 9), keys(0, 1)).status());
        }
    }

    @Test
    void theRegistrationLimitIsCapacityExceeded() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            UnitReservations r = h.units.get("disk0").reservations();
            Map<Registrant, Registration> full = new LinkedHashMap<>();
            for (int i = 0; i < UnitReservations.MAX_REGISTRATIONS; i++) {
                full.put(new Registrant("iqn.x:" + i + ",i,0x000000000001", "iqn.x:" + i, "iqn.t,t,0x0001", 1),
                        new Registration(i + 1));
            }
            synchronized (r) {
                r.commit(new ReservationState(1, false, full, null), List.of());
            }
            assertEquals(0x4081, register(io, 0, 0, 7), "Capacity Exceeded, DNR");
            assertEquals(UnitReservations.MAX_REGISTRATIONS, r.state().registrations().size());
            // A full report: every registrant, a SCSI one with a Host Identifier derived from its port name
            byte[] rep = report(io, 64 + 64 * UnitReservations.MAX_REGISTRATIONS, true).data();
            assertEquals(UnitReservations.MAX_REGISTRATIONS, ByteBuffer.wrap(rep).order(ByteOrder.LITTLE_ENDIAN)
                    .getShort(5));
            byte[] id0 = Arrays.copyOfRange(rep, 80, 96);
            byte[] id1 = Arrays.copyOfRange(rep, 144, 160);
            assertEquals(false, Arrays.equals(id0, id1), "distinct nexuses, distinct host identifiers");
            assertEquals(false, Arrays.equals(id0, new byte[16]));
        }
    }
}
