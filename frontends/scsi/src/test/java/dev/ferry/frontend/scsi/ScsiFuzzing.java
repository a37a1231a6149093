package dev.ferry.frontend.scsi;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.fuzz.NettyLeaks;
import io.netty.buffer.Unpooled;
import java.util.Set;

/**
 * What both SCSI fuzz targets share: one harness over two RAM disks (a thin one with a write cache and a plain one),
 * a fresh {@link ScsiTarget} per input (reservations, unit attentions and mode pages start over), and the contract
 * each command's outcome must meet.
 */
final class ScsiFuzzing {
    /** SAM-5 5.3 statuses a command may end with here (no ACA, no INTERMEDIATE). */
    private static final Set<Integer> STATUSES = Set.of(ScsiResponse.GOOD, ScsiResponse.CHECK_CONDITION,
            ScsiResponse.CONDITION_MET, ScsiResponse.BUSY, ScsiResponse.RESERVATION_CONFLICT,
            ScsiResponse.TASK_SET_FULL, ScsiResponse.TASK_ABORTED);
    private static final int HARDWARE_ERROR = 0x04;
    /** 44h/00h INTERNAL TARGET FAILURE: what {@link ScsiTarget#execute} answers when a RuntimeException escaped. */
    private static final int INTERNAL_TARGET_FAILURE = 0x44;
    static final int BLOCKS = 2048;

    private ScsiFuzzing() {
    }

    static TargetHarness harness() {
        NettyLeaks.watch();
        return new TargetHarness(TargetHarness.disk("thin", BLOCKS), TargetHarness.plainDisk("plain", BLOCKS));
    }

    /** Runs one command on the harness's current target and checks its outcome. */
    static void runAndCheck(TargetHarness h, ItNexus nexus, long lunField, byte[] cdb, int expected, byte[] dataOut) {
        // run() itself fails when the command never completes, completes twice, or keeps or frees the Data-Out.
        TargetHarness.Response r = h.run(new TargetHarness.TestTask(lunField, cdb, expected,
                dataOut == null ? null : Unpooled.wrappedBuffer(dataOut), nexus));
        assertTrue(STATUSES.contains(r.status()), () -> "status " + r.status());
        assertTrue(r.data().length <= expected, "Data-In over the expected transfer length");
        if (r.status() == ScsiResponse.CHECK_CONDITION) {
            assertNotNull(r.sense(), "CHECK CONDITION without sense data");
            assertNotEquals(HARDWARE_ERROR << 8 | INTERNAL_TARGET_FAILURE, r.senseKey() << 8 | r.asc(),
                    "a RuntimeException escaped the command (INTERNAL TARGET FAILURE); see the log above");
        }
        NettyLeaks.assertNone();
    }
}
