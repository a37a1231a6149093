package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import org.junit.jupiter.api.Test;

/** A medium error names its first failed block in the sense INFORMATION field, with VALID set only when it can. */
class MediumErrorLbaTest {
    private static final int READ_16 = 0x88;
    private static final int WRITE_16 = 0x8A;
    private static final int VALID = 0x80;

    /** Fails every request with a medium error at {@code failedLba} (-1: the backend does not know where). */
    static final class FailingBackend implements Backend {
        final BackendDescriptor d = TargetHarness.disk("failing", 1L << 40);
        volatile long failedLba;

        @Override public BackendDescriptor describe() { return d; }

        @Override
        public void execute(BlockRequest r) {
            CompletionStatus s = r.op() == BlockOp.WRITE
                    ? CompletionStatus.MEDIUM_ERROR_WRITE : CompletionStatus.MEDIUM_ERROR_READ;
            if (failedLba >= 0) {
                r.completeFailedAt(s, failedLba);
            } else {
                r.complete(s);
            }
        }

        @Override public void close() { }
    }

    @Test
    void readAndWriteErrorsCarryTheFailedLba() throws Exception {
        FailingBackend b = new FailingBackend();
        try (TargetHarness h = new TargetHarness(8, b)) {
            b.failedLba = 1003;
            var read = h.run(A, 0, TargetHarness.rw16(READ_16, 1000, 8, 0), 8 * 512, null)
                    .assertCheck(SenseData.MEDIUM_ERROR, 0x11, 0x00);
            assertEquals(VALID, read.sense()[0] & VALID, "VALID");
            assertEquals(1003, read.information());
            var write = h.run(A, 0, TargetHarness.rw16(WRITE_16, 1000, 8, 0), 8 * 512, new byte[8 * 512])
                    .assertCheck(SenseData.MEDIUM_ERROR, 0x0C, 0x00);
            assertEquals(VALID, write.sense()[0] & VALID, "VALID");
            assertEquals(1003, write.information());
        }
    }

    @Test
    void anUnknownOrTooLargeLbaLeavesValidClear() throws Exception {
        FailingBackend b = new FailingBackend();
        try (TargetHarness h = new TargetHarness(8, b)) {
            b.failedLba = -1;
            var unknown = h.run(A, 0, TargetHarness.rw16(READ_16, 7, 1, 0), 512, null)
                    .assertCheck(SenseData.MEDIUM_ERROR, 0x11, 0x00);
            assertEquals(0, unknown.sense()[0] & VALID, "VALID without a known LBA");
            long beyond32Bits = 1L << 33;
            b.failedLba = beyond32Bits;
            var large = h.run(A, 0, TargetHarness.rw16(READ_16, beyond32Bits, 1, 0), 512, null)
                    .assertCheck(SenseData.MEDIUM_ERROR, 0x11, 0x00);
            assertEquals(0, large.sense()[0] & VALID, "VALID with an LBA the 4-byte field cannot hold");
            assertEquals(0, large.information(), "no clamped LBA");
        }
    }
}
