package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.frontend.scsi.ScsiResponse;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A backstore grown live under a logged-in session: the session's next command on that LUN gets CHECK CONDITION,
 * UNIT ATTENTION, CAPACITY DATA HAS CHANGED (2Ah/09h), READ CAPACITY(16) then reports the new size, the data stays
 * and the new blocks are served; the other LUN has nothing to report.
 */
class LiveResizeTest {
    private static final long OLD_BLOCKS = (64 << 20) / 512;
    private static final long NEW_BLOCKS = (96 << 20) / 512;
    /** LUN 1 in the SAM LUN field (single level, peripheral device addressing). */
    private static final long LUN1 = 1L << 48;

    private static byte[] readCapacity16() {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10;
        cdb[13] = 32;
        return cdb;
    }

    private static byte[] testUnitReady() {
        return new byte[6];
    }

    @Test
    void aSessionIsToldAndSeesTheNewCapacity() throws Exception {
        try (TargetCore core = TestTargets.start(0);
             IscsiTestClient c = new IscsiTestClient(TestTargets.address(core))) {
            c.login("iqn.2026-11.dev.ferry:resize", TestTargets.TARGET, IscsiTestClient.defaults());
            assertEquals(ScsiResponse.GOOD, c.command(LUN1, testUnitReady(), 0, false, null).status());
            IscsiTestClient.Result before = c.command(0, readCapacity16(), 32, true, null);
            assertEquals(OLD_BLOCKS - 1, ByteBuffer.wrap(before.data()).getLong());
            byte[] last = new byte[512];
            new Random(6).nextBytes(last);
            assertEquals(ScsiResponse.GOOD,
                    c.command(0, IscsiTestClient.write10(OLD_BLOCKS - 1, 1), 512, false, last).status());

            core.apply(TestTargets.config(0, "96M"));

            IscsiTestClient.Result told = c.command(0, readCapacity16(), 32, true, null);
            assertEquals(ScsiResponse.CHECK_CONDITION, told.status());
            assertEquals(0x06, told.sense()[2] & 0x0F, "UNIT ATTENTION");
            assertEquals(0x2A, told.sense()[12] & 0xFF);
            assertEquals(0x09, told.sense()[13] & 0xFF);
            IscsiTestClient.Result after = c.command(0, readCapacity16(), 32, true, null);
            assertEquals(ScsiResponse.GOOD, after.status());
            assertEquals(NEW_BLOCKS - 1, ByteBuffer.wrap(after.data()).getLong());
            assertEquals(ScsiResponse.GOOD, c.command(LUN1, testUnitReady(), 0, false, null).status(),
                    "LUN 1 is another backstore");

            IscsiTestClient.Result kept = c.command(0, IscsiTestClient.read10(OLD_BLOCKS - 1, 1), 512, true, null);
            assertArrayEquals(last, kept.data(), "a RAM disk resized in place keeps its data");
            assertEquals(ScsiResponse.GOOD,
                    c.command(0, IscsiTestClient.write10(NEW_BLOCKS - 1, 1), 512, false, last).status());
            assertEquals(ScsiResponse.CHECK_CONDITION,
                    c.command(0, IscsiTestClient.write10(NEW_BLOCKS, 1), 512, false, last).status());
            c.logout();
        }
    }

    /** A grow the daemon could not save is taken back although the LUN is mapped; a plain apply may not shrink it. */
    @Test
    void aRevertShrinksAMappedBackstoreBack() throws Exception {
        try (TargetCore core = TestTargets.start(0)) {
            FerryConfig before = core.config();
            core.apply(TestTargets.config(0, "96M"));
            assertThrows(ConfigException.class,
                    () -> core.apply(before, true), "a mapped backstore never shrinks on request");
            core.revert(before);
            assertEquals(OLD_BLOCKS, core.registry().unit(before.backstores().get(0).name()).descriptor().capacityBlocks());
            assertEquals(before, core.config());
        }
    }
}
