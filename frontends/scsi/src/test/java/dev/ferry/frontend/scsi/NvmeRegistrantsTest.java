package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.PersistentReservationsTest.K1;
import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationEdit;
import dev.ferry.core.unit.reservation.ReservationEvent;
import dev.ferry.core.unit.reservation.ReservationListener;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import dev.ferry.core.unit.reservation.ReservationType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An NVMe host registered on the unit (what NVMe Reservation Register and Acquire commit) as SCSI sees it: counted
 * in READ KEYS, named in READ RESERVATION, reported in READ FULL STATUS with ALL_TG_PT=1 and an iSCSI initiator
 * device TransportID carrying its host NQN, enforced on SCSI I/O, and preemptable by a SCSI initiator.
 */
class NvmeRegistrantsTest {
    static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:0f0e0d0c-0b0a-0908-0706-050403020100";
    static final Registrant NVME_HOST = Registrant.nvmeHost(HOST_NQN, UUID.fromString(
            "0f0e0d0c-0b0a-0908-0706-050403020100"));
    static final long NVME_KEY = 0x0123_4567_89AB_CDEFL;

    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));
    private final PrCommands pr = new PrCommands(h);

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private LogicalUnit unit() {
        return h.units.get(0);
    }

    private void nvmeRegistersAndReserves(ReservationType type) throws Exception {
        LogicalUnit u = unit();
        synchronized (u.reservations()) {
            ReservationEdit e = new ReservationEdit(u.reservations().state());
            e.registrations.put(NVME_HOST, new Registration(NVME_KEY));
            e.reservation = new Reservation(type, NVME_HOST);
            u.reservations().commit(e.next(true), e.events);
        }
    }

    @Test
    void readKeysReservationAndFullStatusShowTheNvmeHost() throws Exception {
        pr.register(A, 0, K1).assertGood();
        nvmeRegistersAndReserves(ReservationType.WRITE_EXCLUSIVE);
        byte[] keys = pr.prin(A, PrInCommand.READ_KEYS, 4096).assertGood().data();
        assertEquals(16, ByteBuffer.wrap(keys).getInt(4), "two keys");
        assertEquals(NVME_KEY, ByteBuffer.wrap(keys).getLong(16));
        assertArrayEquals(new long[] {NVME_KEY, ReservationType.WRITE_EXCLUSIVE.code}, pr.readReservation(A));

        byte[] d = pr.prin(A, PrInCommand.READ_FULL_STATUS, 4096).assertGood().data();
        ByteBuffer b = ByteBuffer.wrap(d);
        int at = 8 + 24 + b.getInt(8 + 20); // past A's descriptor
        assertEquals(NVME_KEY, b.getLong(at));
        assertEquals(0x03, d[at + 12], "ALL_TG_PT and R_HOLDER");
        assertEquals(0x01, d[at + 13], "SCOPE LU, TYPE Write Exclusive");
        assertEquals(0, b.getShort(at + 18), "no relative target port");
        int tidLength = b.getInt(at + 20);
        byte[] tid = Arrays.copyOfRange(d, at + 24, at + 24 + tidLength);
        assertEquals(0x05, tid[0], "FORMAT CODE 00b (initiator device), PROTOCOL IDENTIFIER iSCSI");
        assertEquals(tidLength - 4, ((tid[2] & 0xFF) << 8) | (tid[3] & 0xFF));
        assertEquals(HOST_NQN, new String(tid, 4, HOST_NQN.length(), StandardCharsets.UTF_8));
        assertEquals(0, tid[4 + HOST_NQN.length()], "null-terminated");
        assertEquals(d.length, at + 24 + tidLength);
    }

    /**
     * Unit attentions for registrants without a nexus here yet are kept (boundedly) until one logs in; NVMe hosts
     * never will, so their events must not use up that room: after many preempted NVMe hosts, a SCSI initiator
     * registered before its first command still gets its REGISTRATIONS PREEMPTED.
     */
    @Test
    void preemptedNvmeHostsDoNotCrowdOutAScsiInitiatorsUnitAttention() throws Exception {
        pr.register(A, 0, K1).assertGood();
        LogicalUnit u = unit();
        for (int i = 0; i < 300; i++) {
            Registrant host = Registrant.nvmeHost(HOST_NQN, new UUID(0, i));
            synchronized (u.reservations()) {
                ReservationEdit e = new ReservationEdit(u.reservations().state());
                e.registrations.put(host, new Registration(0x7000 + i));
                u.reservations().commit(e.next(true), e.events);
            }
            pr.preempt(A, K1, 0x7000 + i, ReservationType.WRITE_EXCLUSIVE).assertGood();
        }
        Registrant c = PersistentReservationsTest.C.registrant(); // registered, but no command from it yet
        synchronized (u.reservations()) {
            ReservationEdit e = new ReservationEdit(u.reservations().state());
            e.registrations.put(c, new Registration(0xC));
            u.reservations().commit(e.next(true), e.events);
        }
        pr.preempt(A, K1, 0xC, ReservationType.WRITE_EXCLUSIVE).assertGood();
        h.run(PersistentReservationsTest.C, 0, TargetHarness.cdb(0x00), 0, null)
                .assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
    }

    @Test
    void theNvmeReservationIsEnforcedAndPreemptedOverScsi() throws Exception {
        List<Map.Entry<Registrant, ReservationEvent>> told = new ArrayList<>();
        ReservationListener nvmeSide = (who, event) -> told.add(Map.entry(who, event));
        unit().reservations().addListener(nvmeSide);
        nvmeRegistersAndReserves(ReservationType.WRITE_EXCLUSIVE);
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, h.run(A, 0, write10(0, 1), 512, new byte[512]).status());
        pr.register(A, 0, K1).assertGood();
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, h.run(A, 0, write10(0, 1), 512, new byte[512]).status());
        pr.preempt(A, K1, NVME_KEY, ReservationType.EXCLUSIVE_ACCESS).assertGood();
        assertEquals(List.of(Map.entry(NVME_HOST, ReservationEvent.REGISTRATION_PREEMPTED)), told,
                "what becomes the NVMe host's Registration Preempted notification");
        assertEquals(1, unit().reservations().state().registrations().size());
        h.run(A, 0, write10(0, 1), 512, new byte[512]).assertGood();
        assertEquals(true, unit().reservations().conflicts(NVME_HOST, false), "Exclusive Access now refuses NVMe reads");
    }
}
