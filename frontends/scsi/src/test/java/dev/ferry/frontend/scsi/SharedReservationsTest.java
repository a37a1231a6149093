package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.PersistentReservationsTest.K1;
import static dev.ferry.frontend.scsi.PersistentReservationsTest.K2;
import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.ReservationType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two SCSI targets (two iSCSI targets in the configuration) exporting one backstore reach one logical unit, so they
 * see one set of persistent reservations: a reservation made through one is enforced, reported and preempted
 * through the other, its unit attentions reach the nexuses of both, and APTPL keeps one file for the unit.
 */
class SharedReservationsTest {
    static final String OTHER = "iqn.2026-01.dev.ferry:other";
    /** The other target's port: the same relative port identifier, a different SCSI target port. */
    static final ScsiPort OTHER_PORT = new ScsiPort(OTHER, OTHER + ",t,0x0001", 1, 0, ScsiPort.PROTOCOL_ISCSI);
    /** Initiator B through the other target. */
    static final ItNexus B2 = new ItNexus("iqn.1994-05.com.redhat:b,i,0x23d000000002", "iqn.1994-05.com.redhat:b",
            0x23D000000002L, OTHER_PORT);
    /** Initiator port A through the other target: another I_T nexus than A (SPC-4 5.13.7). */
    static final ItNexus A2 = new ItNexus(A.initiatorPortName(), A.initiatorName(), A.isid(), OTHER_PORT);

    @TempDir
    Path dir;

    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));
    private final PrCommands pr = new PrCommands(h);
    private ScsiTarget first;
    private ScsiTarget other;

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** The harness's target and a second target exporting the same units at the same LUNs. */
    private void twoTargets() {
        first = h.target;
        TreeMap<Long, LogicalUnit> map = new TreeMap<>(first.export().units());
        other = new ScsiTarget(new Export(OTHER, "iscsi", null, List.of(), map, Set.of(), true));
    }

    private <T> T through(ScsiTarget t, Supplier<T> command) {
        ScsiTarget was = h.target;
        h.target = t;
        try {
            return command.get();
        } finally {
            h.target = was;
        }
    }

    private TargetHarness.Response write(ScsiTarget t, ItNexus n) {
        return through(t, () -> h.run(n, 0, write10(0, 1), 512, new byte[512]));
    }

    @Test
    void aReservationThroughOneTargetIsEnforcedReportedAndPreemptedThroughTheOther() {
        twoTargets();
        pr.register(A, 0, K1).assertGood();
        pr.reserve(A, K1, ReservationType.WRITE_EXCLUSIVE).assertGood();

        assertEquals(ScsiResponse.RESERVATION_CONFLICT, write(other, B2).status(), "write through the other target");
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, write(other, A2).status(),
                "the same initiator port through another target port is another, unregistered, I_T nexus");
        through(other, () -> h.run(B2, 0, read10(0, 1), 512, null)).assertGood();
        assertEquals(new PrCommands.Keys(1, List.of(K1)), through(other, () -> pr.readKeys(B2)));
        assertArrayEquals(new long[] {K1, ReservationType.WRITE_EXCLUSIVE.code},
                through(other, () -> pr.readReservation(B2)));

        through(other, () -> pr.register(B2, 0, K2)).assertGood();
        through(other, () -> pr.preempt(B2, K2, K1, ReservationType.WRITE_EXCLUSIVE)).assertGood();
        h.run(A, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x05); // REGISTRATIONS PREEMPTED
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, write(first, A).status(), "A lost its registration");
        write(other, B2).assertGood();
        assertEquals(new PrCommands.Keys(3, List.of(K2)), pr.readKeys(A));
    }

    @Test
    void aptplKeepsOneFilePerUnitWhicheverTargetChangedIt() throws IOException {
        h.newTarget(dir);
        twoTargets();
        pr.prout(A, PrOutCommand.REGISTER, 0, 0, K1, PrOutCommand.APTPL).assertGood();
        through(other, () -> pr.prout(B2, PrOutCommand.REGISTER, 0, 0, K2, PrOutCommand.APTPL)).assertGood();
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("d0.pr.json")), files.toList());
        }
        h.newTarget(dir);
        twoTargets();
        assertEquals(new PrCommands.Keys(2, List.of(K1, K2)), through(other, () -> pr.readKeys(B2)),
                "both registrations came back from the one file");
    }

    @Test
    void reserve6ThroughOneTargetHoldsTheUnitForEveryTarget() {
        twoTargets();
        h.run(A, 0, cdb(0x16), 0, null).assertGood();                                   // RESERVE(6)
        assertEquals(ScsiResponse.RESERVATION_CONFLICT,
                through(other, () -> h.run(B2, 0, read10(0, 1), 512, null)).status());
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, through(other, () -> h.run(B2, 0, cdb(0x16), 0, null))
                .status(), "another target cannot reserve it either");
        h.target.nexusLost(A);                                                         // the holder's session ends
        through(other, () -> h.run(B2, 0, read10(0, 1), 512, null)).assertGood();
    }
}
