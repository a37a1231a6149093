package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.B;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.core.unit.reservation.ReservationType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SPC-4 5.13 persistent reservations through PERSISTENT RESERVE IN/OUT, between two I_T nexuses. */
class PersistentReservationsTest {
    static final long K1 = 0x1111_2222_3333_4444L;
    static final long K2 = 0xAAAA_BBBB_CCCC_DDDDL;
    static final ItNexus C = TargetHarness.nexus("iqn.1994-05.com.redhat:c", 0x23D000000003L);

    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));
    private final PrCommands pr = new PrCommands(h);

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private int status(ItNexus n, byte[] cdb) {
        byte[] out = cdb[0] == 0x2A ? new byte[512] : null;
        return h.run(n, 0, cdb, 512, out).status();
    }

    private void assertConflict(TargetHarness.Response r) {
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, r.status(), "RESERVATION CONFLICT");
        assertNull(r.sense());
    }

    private void clearUas(ItNexus... ns) {
        for (ItNexus n : ns) {
            while (h.run(n, 0, cdb(0x00), 0, null).status() == ScsiResponse.CHECK_CONDITION) {
                // unit attentions are reported one per command
            }
        }
    }

    @Test
    void registerReregisterAndUnregister() {
        assertEquals(new PrCommands.Keys(0, List.of()), pr.readKeys(A));
        pr.register(A, 0, K1).assertGood();
        assertEquals(new PrCommands.Keys(1, List.of(K1)), pr.readKeys(B));
        assertConflict(pr.register(A, 0, K1));                 // registered: RK must be the registered key
        assertConflict(pr.register(A, K2, K2));
        pr.register(A, K1, K2).assertGood();                   // a new key
        assertEquals(new PrCommands.Keys(2, List.of(K2)), pr.readKeys(A));
        pr.registerIgnore(A, K1).assertGood();                 // RK not looked at
        pr.registerIgnore(B, K2).assertGood();
        assertEquals(new PrCommands.Keys(4, List.of(K1, K2)), pr.readKeys(A));
        assertConflict(pr.register(C, K1, K2));                // unregistered: RK must be zero
        pr.register(C, 0, 0).assertGood();                     // unregistering the unregistered: no change
        assertEquals(4, pr.readKeys(A).generation());
        pr.register(A, K1, 0).assertGood();                    // unregister
        pr.registerIgnore(B, 0).assertGood();
        assertEquals(new PrCommands.Keys(6, List.of()), pr.readKeys(A));
        assertEquals(0, status(A, cdb(0x00)), "no unit attention for anyone");
    }

    @Test
    void readKeysIsCutByTheAllocationLengthOnly() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        byte[] d = pr.prin(A, PrInCommand.READ_KEYS, 8).assertGood().data();
        assertEquals(8, d.length);
        assertEquals(16, ByteBuffer.wrap(d).getInt(4), "ADDITIONAL LENGTH is not altered");
        assertEquals(12, pr.prin(A, PrInCommand.READ_KEYS, 12).assertGood().data().length);
        assertEquals(0, pr.prin(A, PrInCommand.READ_KEYS, 0).assertGood().data().length);
    }

    @Test
    void reservedServiceActionsAreInvalidFieldsInTheCdb() {
        for (int sa = 0; sa < 4; sa++) {
            pr.prin(A, sa, 1024).assertGood();
        }
        for (int sa = 4; sa < 0x20; sa++) {
            var r = pr.prin(A, sa, 1024).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
            assertEquals(0xC0 | 0x08 | 4, r.sense()[15] & 0xFF, "SKSV C/D BPV, bit 4");
            assertEquals(1, r.sense()[17], "byte 1: SERVICE ACTION");
        }
        pr.prout(A, 0x08, 0, 0, K1, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        pr.prout(A, 0x1F, 0, 0, K1, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void reportCapabilitiesWithoutPersistence() {
        pr.register(A, 0, K1).assertGood();
        byte[] d = pr.prin(A, PrInCommand.REPORT_CAPABILITIES, 1024).assertGood().data();
        // LENGTH 8 | CRH, no SIP_C ATP_C PTPL_C | TMV, ALLOW COMMANDS 001b, PTPL_A 0 | all six types
        assertArrayEquals(new byte[] {0, 8, 0x10, (byte) 0x90, (byte) 0xEA, 0x01, 0, 0}, d);
        // and APTPL is refused accordingly
        var r = pr.prout(B, PrOutCommand.REGISTER, 0, 0, K2, PrOutCommand.APTPL)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        assertEquals(0x80 | 0x08, r.sense()[15] & 0xFF, "parameter list, bit 0");
        assertEquals(20, r.sense()[17]);
        assertEquals(List.of(K1), pr.readKeys(A).keys());
    }

    @Test
    void unsupportedParameterListOptionsAreRefused() {
        pr.prout(A, PrOutCommand.REGISTER, 0, 0, K1, PrOutCommand.SPEC_I_PT)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        pr.prout(A, PrOutCommand.REGISTER, 0, 0, K1, PrOutCommand.ALL_TG_PT)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        byte[] list = PrCommands.basicList(0, K1, 0);
        pr.prout(A, PrCommands.proutCdb(PrOutCommand.REGISTER, 0, 28), Arrays.copyOf(list, 28))
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
        pr.prout(A, PrCommands.proutCdb(PrOutCommand.REGISTER, 0, 20), Arrays.copyOf(list, 20))
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
        h.run(A, 0, PrCommands.proutCdb(PrOutCommand.REGISTER, 0, 0), 0, null)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
        assertEquals(new PrCommands.Keys(0, List.of()), pr.readKeys(A), "nothing registered by refused commands");
    }

    /**
     * SPC-4 5.13.1 Table 66 / SBC-3 Table 13 through a second nexus, registered and then not: the columns of
     * libiscsi's ProutReserve access tests, plus a MODE SENSE (read class) and a SYNCHRONIZE CACHE (write class).
     */
    @ParameterizedTest
    @EnumSource(ReservationType.class)
    void accessOfASecondNexus(ReservationType type) {
        boolean regRead = type != ReservationType.EXCLUSIVE_ACCESS;
        boolean regWrite = type.admitsRegistrants();
        boolean unregRead = !type.exclusiveAccess();
        pr.registerIgnore(A, K1).assertGood();
        pr.registerIgnore(B, K2).assertGood();
        pr.reserve(A, K1, type).assertGood();
        assertArrayEquals(new long[] {type.allRegistrants() ? 0 : K1, type.code}, pr.readReservation(B));
        assertEquals(0, status(A, read10(1, 1)));
        assertEquals(0, status(A, write10(1, 1)));
        assertAccess(B, regRead, regWrite);
        pr.register(B, K2, 0).assertGood();
        assertAccess(B, unregRead, false);
        // always allowed: TEST UNIT READY, INQUIRY, READ CAPACITY, REPORT LUNS, PERSISTENT RESERVE IN
        assertEquals(0, status(B, cdb(0x00)));
        assertEquals(0, status(B, cdb(0x12, 0, 0, 0, 36, 0)));
        assertEquals(0, status(B, cdb(0x25)));
        assertEquals(0, status(B, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)));
        // START STOP UNIT with START=1 is allowed, stopping is not
        assertEquals(0, status(B, cdb(0x1B, 0, 0, 0, 0x01, 0)));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(B, cdb(0x1B, 0, 0, 0, 0x00, 0)));
        pr.release(A, K1, type).assertGood();
        assertNull(pr.readReservation(A));
        assertAccess(B, true, true);
    }

    private void assertAccess(ItNexus n, boolean read, boolean write) {
        int conflict = ScsiResponse.RESERVATION_CONFLICT;
        assertEquals(read ? 0 : conflict, status(n, read10(1, 1)), "READ(10)");
        assertEquals(read ? 0 : conflict, status(n, cdb(0x1A, 0, 0x3F, 0, 255, 0)), "MODE SENSE(6)");
        assertEquals(write ? 0 : conflict, status(n, write10(1, 1)), "WRITE(10)");
        assertEquals(write ? 0 : conflict, status(n, cdb(0x35)), "SYNCHRONIZE CACHE(10)");
    }

    @Test
    void reserveAndReleaseRules() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        assertConflict(pr.reserve(C, 0, ReservationType.WRITE_EXCLUSIVE));          // not registered
        assertConflict(pr.reserve(A, K2, ReservationType.WRITE_EXCLUSIVE));         // not its key
        pr.prout(A, PrOutCommand.RESERVE, 0x10 | 0x1, K1, 0, 0)                     // SCOPE 1h
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        pr.prout(A, PrOutCommand.RESERVE, 0x2, K1, 0, 0)                            // TYPE 2h is obsolete
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        pr.reserve(A, K1, ReservationType.WRITE_EXCLUSIVE).assertGood();
        pr.reserve(A, K1, ReservationType.WRITE_EXCLUSIVE).assertGood();            // again, same type: no-op
        assertConflict(pr.reserve(A, K1, ReservationType.EXCLUSIVE_ACCESS));        // the holder, another type
        assertConflict(pr.reserve(B, K2, ReservationType.WRITE_EXCLUSIVE));         // another nexus
        assertEquals(2, pr.readKeys(A).generation(), "RESERVE does not count");
        pr.release(B, K2, ReservationType.WRITE_EXCLUSIVE).assertGood();            // not the holder: no effect
        assertArrayEquals(new long[] {K1, 1}, pr.readReservation(A));
        assertConflict(pr.release(A, K2, ReservationType.WRITE_EXCLUSIVE));         // holder, wrong key
        pr.release(A, K1, ReservationType.EXCLUSIVE_ACCESS).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x04);
        pr.release(A, K1, ReservationType.WRITE_EXCLUSIVE).assertGood();
        assertNull(pr.readReservation(A));
        pr.release(A, K1, ReservationType.WRITE_EXCLUSIVE).assertGood();            // nothing to release
        assertConflict(pr.release(C, 0, ReservationType.WRITE_EXCLUSIVE));          // not registered
        assertEquals(2, pr.readKeys(A).generation(), "RELEASE does not count");
        assertEquals(0, status(B, cdb(0x00)), "WE release: no unit attention");
    }

    @Test
    void releasingARegistrantsOnlyReservationTellsTheOtherRegistrants() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        pr.register(C, 0, K2).assertGood();
        pr.reserve(A, K1, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).assertGood();
        pr.release(A, K1, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).assertGood();
        assertEquals(0, status(A, cdb(0x00)));
        h.run(B, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x04);
        h.run(C, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x04);
        assertEquals(0, status(B, cdb(0x00)));
    }

    @Test
    void unregisteringTheHolderEndsAllButAllRegistrantsReservations() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        pr.reserve(A, K1, ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY).assertGood();
        pr.register(A, K1, 0).assertGood();
        h.run(B, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x04);
        assertNull(pr.readReservation(B));
        // all registrants: every registrant holds it, it lasts while one is registered
        pr.register(A, 0, K1).assertGood();
        pr.reserve(A, K1, ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS).assertGood();
        pr.register(A, K1, 0).assertGood();
        assertArrayEquals(new long[] {0, 7}, pr.readReservation(A));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(A, write10(1, 1)), "A is no registrant now");
        pr.release(B, K2, ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS).assertGood(); // B holds it too
        assertNull(pr.readReservation(A));
        pr.reserve(B, K2, ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS).assertGood();
        pr.register(B, K2, 0).assertGood();
        assertNull(pr.readReservation(A), "the last registrant took it along");
    }

    @Test
    void clearRemovesEverythingAndPreemptsTheOthers() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        pr.reserve(B, K2, ReservationType.EXCLUSIVE_ACCESS).assertGood();
        assertConflict(pr.clear(C, 0));
        assertConflict(pr.clear(A, K2));
        pr.clear(A, K1).assertGood();
        assertEquals(new PrCommands.Keys(3, List.of()), pr.readKeys(A));
        assertNull(pr.readReservation(A));
        h.run(B, 0, read10(1, 1), 512, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x03);
        assertEquals(0, status(B, read10(1, 1)));
    }

    /** libiscsi ProutPreempt: preempting a registration when nothing is reserved. */
    @Test
    void preemptARegistration() {
        pr.registerIgnore(A, K1).assertGood();
        pr.registerIgnore(B, K2).assertGood();
        long generation = pr.readKeys(A).generation();
        pr.preempt(B, K2, K1, ReservationType.EXCLUSIVE_ACCESS).assertGood();
        h.run(A, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
        assertEquals(0, status(B, cdb(0x00)), "no condition for the preempting nexus");
        assertEquals(new PrCommands.Keys(generation + 1, List.of(K2)), pr.readKeys(A));
        assertNull(pr.readReservation(A), "nothing reserved by preempting a registration");
        assertConflict(pr.preempt(B, K2, K1, ReservationType.EXCLUSIVE_ACCESS));   // no registration has K1 now
        pr.preempt(B, K2, 0, ReservationType.EXCLUSIVE_ACCESS).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        assertConflict(pr.preempt(A, K1, K2, ReservationType.EXCLUSIVE_ACCESS));   // A is no registrant now
        assertEquals(List.of(K2), pr.readKeys(A).keys());
    }

    @Test
    void preemptTheHolderTakesOverTheReservation() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        pr.register(C, 0, K1).assertGood();                                         // shares A's key
        pr.reserve(A, K1, ReservationType.WRITE_EXCLUSIVE).assertGood();
        pr.preempt(B, K2, K1, ReservationType.EXCLUSIVE_ACCESS).assertGood();
        assertArrayEquals(new long[] {K2, 3}, pr.readReservation(B));
        assertEquals(List.of(K2), pr.readKeys(B).keys(), "every registration with the key went");
        h.run(A, 0, read10(1, 1), 512, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
        h.run(C, 0, read10(1, 1), 512, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(A, read10(1, 1)));
        // the holder preempting itself changes the type; other registrants hear RESERVATIONS RELEASED
        pr.register(A, 0, K1).assertGood();
        pr.prout(B, PrOutCommand.PREEMPT_AND_ABORT, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY.code, K2, K2, 0)
                .assertGood();
        assertArrayEquals(new long[] {K2, 5}, pr.readReservation(B));
        h.run(A, 0, read10(1, 1), 512, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x04);
        assertEquals(0, status(A, write10(1, 1)), "registrants only: A writes");
        assertEquals(List.of(K2, K1), pr.readKeys(A).keys(), "the preempting nexus keeps its registration");
    }

    @Test
    void preemptAllRegistrantsWithZeroKey() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        pr.register(C, 0, K2).assertGood();
        pr.reserve(B, K2, ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS).assertGood();
        pr.preempt(A, K1, 0, ReservationType.WRITE_EXCLUSIVE).assertGood();
        assertEquals(List.of(K1), pr.readKeys(A).keys());
        assertArrayEquals(new long[] {K1, 1}, pr.readReservation(A));
        h.run(B, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
        h.run(C, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
    }

    /** SPC-4 6.15.5 READ FULL STATUS with iSCSI TransportIDs (SPC-4 7.6.4.6, format 01b). */
    @Test
    void readFullStatus() {
        pr.register(A, 0, K1).assertGood();
        pr.register(B, 0, K2).assertGood();
        pr.reserve(B, K2, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).assertGood();
        byte[] d = pr.prin(A, PrInCommand.READ_FULL_STATUS, 4096).assertGood().data();
        ByteBuffer b = ByteBuffer.wrap(d);
        assertEquals(2, b.getInt(0), "PRgeneration");
        assertEquals(d.length - 8, b.getInt(4));
        int at = 8;
        for (ItNexus n : new ItNexus[] {A, B}) {
            boolean holder = n == B;
            assertEquals(holder ? K2 : K1, b.getLong(at));
            assertEquals(holder ? 0x01 : 0x00, d[at + 12], "ALL_TG_PT 0, R_HOLDER");
            assertEquals(holder ? 0x05 : 0x00, d[at + 13], "SCOPE/TYPE");
            assertEquals(1, b.getShort(at + 18), "RELATIVE TARGET PORT IDENTIFIER");
            int tidLength = b.getInt(at + 20);
            byte[] tid = Arrays.copyOfRange(d, at + 24, at + 24 + tidLength);
            assertEquals(0x45, tid[0], "FORMAT CODE 01b, iSCSI");
            int additional = ((tid[2] & 0xFF) << 8) | (tid[3] & 0xFF);
            assertEquals(tidLength - 4, additional);
            assertEquals(0, additional % 4);
            String expected = n.initiatorName() + ",i,0x23d00000000" + (holder ? "2" : "1");
            assertEquals(expected, new String(tid, 4, expected.length(), StandardCharsets.UTF_8));
            assertEquals(0, tid[4 + expected.length()], "null-terminated");
            at += 24 + tidLength;
        }
        assertEquals(d.length, at);
        // cut by the allocation length, ADDITIONAL LENGTH intact
        byte[] cut = pr.prin(A, PrInCommand.READ_FULL_STATUS, 10).assertGood().data();
        assertEquals(10, cut.length);
        assertEquals(d.length - 8, ByteBuffer.wrap(cut).getInt(4));
    }

    /** SPC-4 5.13.8 REGISTER AND MOVE to the I_T nexus a TransportID names. */
    @Test
    void registerAndMove() {
        pr.register(A, 0, K1).assertGood();
        pr.reserve(A, K1, ReservationType.EXCLUSIVE_ACCESS).assertGood();
        assertConflict(move(B, 0, K2, 1, TransportIds.initiatorPort(A.initiatorPortName()), 0));           // B is not registered
        move(A, K1, K2, 7, TransportIds.initiatorPort(B.initiatorPortName()), 0)                           // no such target port
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        move(A, K1, K2, 1, TransportIds.initiatorPort(A.initiatorPortName()), 0)                           // to itself
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        move(A, K1, 0, 1, TransportIds.initiatorPort(B.initiatorPortName()), 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        byte[] device = TransportIds.initiatorPort(B.initiatorPortName());
        device[0] = 0x05;                                                              // format 00b: a device
        move(A, K1, K2, 1, device, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        move(A, K1, K2, 1, TransportIds.initiatorPort(B.initiatorPortName()), 0).assertGood();
        assertArrayEquals(new long[] {K2, 3}, pr.readReservation(A));
        assertEquals(new PrCommands.Keys(2, List.of(K1, K2)), pr.readKeys(A));
        assertEquals(0, status(B, read10(1, 1)), "B holds it now");
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(A, read10(1, 1)));
        // and back, B dropping its registration (UNREG)
        move(B, K2, K1, 1, TransportIds.initiatorPort(A.initiatorPortName()), PrOutCommand.UNREG).assertGood();
        assertEquals(new PrCommands.Keys(3, List.of(K1)), pr.readKeys(A), "A kept its own key");
        assertArrayEquals(new long[] {K1, 3}, pr.readReservation(A));
        assertConflict(move(B, K2, K1, 1, TransportIds.initiatorPort(A.initiatorPortName()), 0));
    }

    private TargetHarness.Response move(ItNexus n, long rk, long sark, int relativePort, byte[] tid, int byte17) {
        byte[] list = new byte[24 + tid.length];
        ByteBuffer.wrap(list).putLong(0, rk).putLong(8, sark).put(17, (byte) byte17)
                .putShort(18, (short) relativePort).putInt(20, tid.length);
        System.arraycopy(tid, 0, list, 24, tid.length);
        return pr.prout(n, PrCommands.proutCdb(PrOutCommand.REGISTER_AND_MOVE, 0, list.length), list);
    }

    /** SPC-4 5.13.3: RESERVE(6)/RELEASE(6) and persistent reservations exclude each other (CRH=1). */
    @Test
    void reserve6AndPersistentReservationsExcludeEachOther() {
        pr.register(B, 0, K2).assertGood();
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(A, cdb(0x16)), "RESERVE(6) while registered");
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(B, cdb(0x16)), "registered, but no holder");
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(A, cdb(0x17)), "RELEASE(6) too");
        // the holder, and registrants under a registrants-only type, get GOOD and nothing happens
        pr.register(C, 0, K1).assertGood();
        pr.reserve(B, K2, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).assertGood();
        assertEquals(0, status(B, cdb(0x16)));
        assertEquals(0, status(C, cdb(0x16)));
        assertEquals(0, status(C, cdb(0x17)));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(A, cdb(0x16)));
        assertEquals(0, status(A, read10(1, 1)), "no RESERVE(6) reservation was made");
        assertArrayEquals(new long[] {K2, 5}, pr.readReservation(A));
        pr.clear(B, K2).assertGood();
        clearUas(C);
        assertEquals(0, status(A, cdb(0x16)));
        assertConflict(pr.prin(A, PrInCommand.READ_KEYS, 1024));                      // the holder too
        assertConflict(pr.prin(B, PrInCommand.REPORT_CAPABILITIES, 1024));
        assertConflict(pr.register(A, 0, K1));
        assertConflict(pr.registerIgnore(B, K2));
        assertEquals(0, status(A, cdb(0x17)));
        pr.register(A, 0, K1).assertGood();
    }

    @Test
    void registrationsOutliveNexusLossAndResets() {
        pr.register(A, 0, K1).assertGood();
        pr.reserve(A, K1, ReservationType.EXCLUSIVE_ACCESS).assertGood();
        h.target.nexusLost(A);
        h.target.logicalUnitReset(Luns.encode(0), B);
        h.target.targetReset(B);
        assertArrayEquals(new long[] {K1, 3}, pr.readReservation(B));
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, status(B, read10(1, 1)));
        clearUas(A);
        assertEquals(0, status(A, read10(1, 1)));
    }

    @Test
    void reportSupportedOperationCodesListsEveryServiceAction() {
        byte[] all = h.run(A, 0, cdb(0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0), 4096, null).assertGood().data();
        StringBuilder seen = new StringBuilder();
        for (int at = 4; at < all.length; at += 8) {
            int op = all[at] & 0xFF;
            if (op == 0x5E || op == 0x5F || op == 0xA3 || op == 0xA4) {
                seen.append(String.format("%02X/%02X ", op, all[at + 3]));
            }
        }
        assertEquals("5E/00 5E/01 5E/02 5E/03 5F/00 5F/01 5F/02 5F/03 5F/04 5F/05 5F/06 5F/07 A3/0A A3/0C A4/0A ",
                seen.toString());
        byte[] prout = h.run(A, 0, cdb(0xA3, 0x0C, 2, 0x5F, 0, 1, 0, 0, 1, 0, 0, 0), 256, null).assertGood().data();
        assertArrayEquals(new byte[] {0x5F, 0x01, (byte) 0xFF, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, 0}, Arrays.copyOfRange(prout, 4, 14));
        // the reserved-bit check follows the usage data: CDB byte 3 is reserved
        h.run(A, 0, cdb(0x5E, 0, 0, 1, 0, 0, 0, 0, 8, 0), 8, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
    }
}
