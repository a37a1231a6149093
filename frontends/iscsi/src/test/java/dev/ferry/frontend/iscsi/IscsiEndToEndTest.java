package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.frontend.scsi.ScsiResponse;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Login, SCSI I/O through the real command set and a RAM backend, logout: over TCP with a hand-written initiator. */
class IscsiEndToEndTest {

    @Test
    void loginReadWriteLogout() throws Exception {
        try (TargetCore core = TestTargets.start(0)) {
            assertNotNull(core.frontend("iscsi"), "the frontend is found through ServiceLoader");
            var address = TestTargets.address(core);
            assertTrue(address.getPort() > 0);
            Map<String, String> ops = IscsiTestClient.defaults();
            ops.put("HeaderDigest", "CRC32C,None");
            ops.put("DataDigest", "CRC32C,None");
            ops.put("MaxRecvDataSegmentLength", "16384");
            try (IscsiTestClient c = new IscsiTestClient(address)) {
                c.login("iqn.2026-11.dev.ferry:e2e", TestTargets.TARGET, ops);
                // READ CAPACITY(10): 64 MiB of 512-byte blocks.
                byte[] rc10 = new byte[16];
                rc10[0] = 0x25;
                IscsiTestClient.Result cap = c.command(0, rc10, 8, true, null);
                assertEquals(ScsiResponse.GOOD, cap.status());
                ByteBuffer b = ByteBuffer.wrap(cap.data());
                assertEquals((64 << 20) / 512 - 1, b.getInt());
                assertEquals(512, b.getInt());

                byte[] data = new byte[600 * 512]; // immediate data + R2Ts, Data-In split at 16 KiB
                new Random(11).nextBytes(data);
                IscsiTestClient.Result w = c.command(0, IscsiTestClient.write10(1000, 600), data.length, false, data);
                assertEquals(ScsiResponse.GOOD, w.status());
                IscsiTestClient.Result r = c.command(0, IscsiTestClient.read10(1000, 600), data.length, true, null);
                assertEquals(ScsiResponse.GOOD, r.status());
                assertArrayEquals(data, r.data());

                // Beyond the end: CHECK CONDITION with sense in a SCSI Response.
                IscsiTestClient.Result oob = c.command(0, IscsiTestClient.read10((64 << 20) / 512, 1), 512, true, null);
                assertEquals(ScsiResponse.CHECK_CONDITION, oob.status());
                assertNotNull(oob.sense());
                assertEquals(0x05, oob.sense()[2] & 0x0f);
                c.logout();
                assertTrue(c.closedByTarget());
            }
        }
    }
}
