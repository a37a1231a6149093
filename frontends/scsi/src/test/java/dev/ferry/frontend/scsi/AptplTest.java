package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.PersistentReservationsTest.C;
import static dev.ferry.frontend.scsi.PersistentReservationsTest.K1;
import static dev.ferry.frontend.scsi.PersistentReservationsTest.K2;
import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.B;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.reservation.ReservationType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * APTPL (SPC-4 5.13.5): registrations and the reservation survive a restart (new units and a new ScsiTarget over the
 * same reservation directory).
 */
class AptplTest {
    @TempDir
    Path dir;

    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));
    private final PrCommands pr = new PrCommands(h);

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private Path file() {
        return dir.resolve("d0.pr.json");
    }

    private List<Path> files() {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private TargetHarness.Response registerAptpl(ItNexus n, long rk, long sark) {
        return pr.prout(n, PrOutCommand.REGISTER, 0, rk, sark, PrOutCommand.APTPL);
    }

    @Test
    void reservationsSurviveARestart() {
        h.newTarget(dir);
        pr.register(B, 0, K2).assertGood();
        assertFalse(Files.exists(file()), "APTPL=0: nothing persisted");
        registerAptpl(A, 0, K1).assertGood();
        pr.reserve(A, K1, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).assertGood();
        assertTrue(Files.exists(file()));
        assertEquals(List.of(file()), files(), "no temporary file is left behind");
        byte[] caps = pr.prin(A, PrInCommand.REPORT_CAPABILITIES, 8).assertGood().data();
        assertEquals(0x11, caps[2], "CRH, PTPL_C");
        assertEquals((byte) 0x91, caps[3], "TMV, ALLOW COMMANDS 001b, PTPL_A");
        byte[] fullStatus = pr.prin(A, PrInCommand.READ_FULL_STATUS, 4096).assertGood().data();

        h.newTarget(dir);
        assertEquals(new PrCommands.Keys(2, List.of(K2, K1)), pr.readKeys(C));
        assertArrayEquals(new long[] {K1, 5}, pr.readReservation(C));
        assertArrayEquals(fullStatus, pr.prin(C, PrInCommand.READ_FULL_STATUS, 4096).assertGood().data());
        assertEquals(0x01, pr.prin(C, PrInCommand.REPORT_CAPABILITIES, 8).assertGood().data()[3] & 0x01, "PTPL_A");
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, h.run(C, 0, write10(1, 1), 512, new byte[512]).status());
        h.run(B, 0, write10(1, 1), 512, new byte[512]).assertGood();
        // the restored registrations still receive their unit attentions
        pr.preempt(A, K1, K2, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).assertGood();
        h.run(B, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
        h.newTarget(dir);
        assertEquals(new PrCommands.Keys(3, List.of(K1)), pr.readKeys(C), "the preemption was persisted");
    }

    @Test
    void aRestoredRegistrantGetsItsUnitAttentionWithItsFirstCommandAfterTheRestart() {
        h.newTarget(dir);
        registerAptpl(A, 0, K1).assertGood();
        registerAptpl(B, 0, K2).assertGood();
        h.newTarget(dir);
        pr.preempt(A, K1, K2, ReservationType.WRITE_EXCLUSIVE).assertGood(); // B has sent nothing since the restart
        h.run(B, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05);
        h.run(B, 0, cdb(0x00), 0, null).assertGood();
    }

    @Test
    void aptplZeroOrNoRegistrationsRemovesTheFile() {
        h.newTarget(dir);
        registerAptpl(A, 0, K1).assertGood();
        assertTrue(Files.exists(file()));
        pr.register(A, K1, K2).assertGood();                    // the last APTPL value received wins
        assertFalse(Files.exists(file()));
        h.newTarget(dir);
        assertEquals(new PrCommands.Keys(0, List.of()), pr.readKeys(A));
        registerAptpl(A, 0, K1).assertGood();
        registerAptpl(A, K1, 0).assertGood();                   // unregistering the last registration
        assertFalse(Files.exists(file()));
    }

    @Test
    void aFailedWriteFailsTheCommandAndChangesNothing() throws IOException {
        h.newTarget(dir);
        registerAptpl(A, 0, K1).assertGood();
        Files.delete(file());                                    // the rename over the file cannot succeed:
        Files.createDirectories(file().resolve("occupied"));     // a non-empty directory is in its place
        registerAptpl(B, 0, K2).assertCheck(SenseData.HARDWARE_ERROR, 0x44, 0x00);
        assertEquals(new PrCommands.Keys(1, List.of(K1)), pr.readKeys(A));
        assertNull(pr.readReservation(A));
    }

    @Test
    void anUnreadableFileStopsTheTarget() throws IOException {
        Files.writeString(file(), "{\"version\": 1, \"registrations\": [");
        assertThrows(IllegalStateException.class, () -> h.newTarget(dir));
    }
}
