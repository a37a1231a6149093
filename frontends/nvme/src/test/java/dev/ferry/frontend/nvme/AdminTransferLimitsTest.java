package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.frontend.nvme.spec.Status;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Host-given lengths and offsets of admin commands (Base 2.0 5.16 Get Log Page, Figure 275 MDTS) are unsigned and
 * bounded before anything is allocated, on I/O and discovery controllers alike.
 */
class AdminTransferLimitsTest {
    static final String DISCOVERY_HOST = "nqn.2014-08.org.example:anyone";

    /** Get Log Page with NUMD and LPO given raw, and an SGL of {@code sgl} bytes. */
    static ByteBuffer getLogPage(int lid, long numdZeroBased, long offset, long sgl) {
        ByteBuffer b = ModelHarness.sqe(0x02, 0xFFFFFFFFL);
        b.putInt(32, (int) sgl);
        b.putInt(40, lid | (int) (numdZeroBased & 0xFFFF) << 16).putInt(44, (int) (numdZeroBased >>> 16));
        b.putLong(48, offset);
        return b;
    }

    @Test
    void aLogPageLongerThanMdtsIsAnInvalidFieldNotAnAllocation() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            long twoGiB = (1L << 31) / 4 - 1;
            assertEquals(Status.INVALID_FIELD, admin.run(getLogPage(0x02, twoGiB, 0, 0x8000_0000L), null).status(),
                    "2 GiB against an SGL of 2 GiB");
            assertEquals(Status.INVALID_FIELD, admin.run(getLogPage(0x02, 0xFFFF_FFFFL, 0, 0xFFFF_FFFFL), null)
                    .status(), "the largest NUMD, 16 GiB");
            long overMdts = Limits.MAX_DATA_TRANSFER / 4;
            assertEquals(Status.INVALID_FIELD, admin.run(getLogPage(0x02, overMdts, 0, 1 << 20), null).status(),
                    "one dword over MDTS");
            ModelHarness.Done atMdts = admin.run(getLogPage(0x02, overMdts - 1, 0, Limits.MAX_DATA_TRANSFER), null);
            assertEquals(Status.SUCCESS, atMdts.status());
            assertEquals(Limits.MAX_DATA_TRANSFER, atMdts.data().length);
        }
    }

    @Test
    void theDiscoveryControllerAnyHostReachesIsBoundedToo() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue disc = h.admin(NvmeTarget.DISCOVERY_NQN, DISCOVERY_HOST, 0);
            assertEquals(Status.INVALID_FIELD, disc.run(getLogPage(0x70, (1L << 29) - 1, 0, 0x8000_0000L), null)
                    .status());
            assertEquals(Status.INVALID_FIELD, disc.run(getLogPage(0x70, 255, 1L << 63, 1024), null).status(),
                    "LPO with bit 63 set is far beyond the page, not negative");
            ModelHarness.Done header = disc.run(getLogPage(0x70, 255, 0, 1024), null);
            assertEquals(Status.SUCCESS, header.status());
            assertEquals(1024, header.data().length);
        }
    }

    @Test
    void offsetsAreUnsignedAndBoundedByThePage() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            for (long lpo : new long[] {1L << 63, -4L, 0x0000_0001_0000_0000L, 0x8000_0000L, 516}) {
                assertEquals(Status.INVALID_FIELD, admin.run(getLogPage(0x02, 0, lpo, 4), null).status(),
                        "LPO " + Long.toHexString(lpo) + " beyond the 512-byte SMART log");
            }
            ModelHarness.Done end = admin.run(getLogPage(0x02, 0, 512, 4), null);
            assertEquals(Status.SUCCESS, end.status(), "LPO at the end of the page: only padding");
            assertArrayEquals(new byte[4], end.data());
        }
    }

    @Test
    void aWindowLongerThanThePageIsZeroPadded() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            byte[] page = admin.run(getLogPage(0x03, 512 / 4 - 1, 0, 512), null).data();
            ModelHarness.Done tail = admin.run(getLogPage(0x03, 8192 / 4 - 1, 256, 8192), null);
            assertEquals(Status.SUCCESS, tail.status());
            assertEquals(8192, tail.data().length);
            assertArrayEquals(Arrays.copyOfRange(page, 256, 512), Arrays.copyOfRange(tail.data(), 0, 256));
            assertArrayEquals(new byte[8192 - 256], Arrays.copyOfRange(tail.data(), 256, 8192));
            assertEquals(Status.DATA_SGL_LENGTH_INVALID, admin.run(getLogPage(0x03, 127, 0, 256), null).status(),
                    "NUMD beyond the host's buffer");
        }
    }

    @Test
    void everyAdminTransferIsBoundedByMdts() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            ModelHarness.FakeQueue disc = h.admin(NvmeTarget.DISCOVERY_NQN, DISCOVERY_HOST, 0);
            for (ModelHarness.FakeQueue q : new ModelHarness.FakeQueue[] {admin, disc}) {
                ByteBuffer identify = ModelHarness.withSgl(ModelHarness.identify(1, 0), Limits.MAX_DATA_TRANSFER + 4);
                assertEquals(Status.INVALID_FIELD, q.run(identify, null).status(), "an SGL over MDTS");
                ByteBuffer huge = ModelHarness.withSgl(ModelHarness.identify(1, 0), 0xFFFF_FFFF);
                assertEquals(Status.INVALID_FIELD, q.run(huge, null).status(), "a 4 GiB SGL");
                assertEquals(Status.SUCCESS, q.run(ModelHarness.identify(1, 0), null).status());
            }
        }
    }
}
