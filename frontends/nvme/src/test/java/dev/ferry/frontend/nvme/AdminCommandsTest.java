package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Features, log pages and asynchronous events (NVMe Base 2.0 5.2, 5.16, 5.27). */
class AdminCommandsTest {

    static ByteBuffer setFeature(int fid, int cdw11) {
        ByteBuffer b = ModelHarness.sqe(0x09, 0);
        b.putInt(40, fid).putInt(44, cdw11);
        return b;
    }

    static ByteBuffer getFeature(int fid) {
        ByteBuffer b = ModelHarness.sqe(0x0A, 0);
        b.putInt(40, fid);
        return b;
    }

    @Test
    void features() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            ModelHarness.Done q = admin.run(setFeature(0x07, 200 | 200 << 16), null);
            assertEquals(0, q.status());
            assertEquals(63 | 63 << 16, q.result(), "capped at 64 I/O queues, 0's based");
            assertEquals(0x4002, admin.run(setFeature(0x07, 0xFFFF), null).status(), "65536 queues is invalid");
            assertEquals(0, admin.run(setFeature(0x01, 0x0301), null).status());
            assertEquals(0x0301, admin.run(getFeature(0x01), null).result(), "arbitration kept");
            assertEquals(0x4002, admin.run(setFeature(0x02, 1), null).status(), "only power state 0 exists");
            assertEquals(0x4002, admin.run(setFeature(0x06, 1), null).status(), "no volatile write cache");
            assertEquals(0, admin.run(setFeature(0x0F, 15000), null).status());
            assertEquals(15000, admin.run(getFeature(0x0F), null).result(), "KATO");
            assertEquals(0, admin.run(setFeature(0x0B, 0xFFFFFFFF), null).status());
            assertEquals(1 << 8 | 1 << 11 | 1L << 31, admin.run(getFeature(0x0B), null).result(),
                    "only the events this controller can raise stay set");
            ByteBuffer save = setFeature(0x01, 0);
            save.putInt(40, 0x01 | 1 << 31);
            assertEquals(0x410D, admin.run(save, null).status(), "Feature Identifier Not Saveable");
            assertEquals(0x4002, admin.run(getFeature(0x7E), null).status(), "unknown feature");
        }
    }

    @Test
    void logPages() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            ModelHarness.Done smart = admin.run(ModelHarness.getLogPage(0x02, 512, false), null);
            assertEquals(0, smart.status());
            assertEquals(512, smart.data().length);
            assertEquals(100, smart.data()[3], "available spare");
            ModelHarness.Done effects = admin.run(ModelHarness.getLogPage(0x05, 4096, false), null);
            ByteBuffer e = ModelHarness.le(effects.data());
            assertEquals(1, e.getInt(4 * 0x06), "Identify supported");
            assertEquals(3, e.getInt(1024 + 4 * 0x01), "Write supported, changes LBA content");
            assertEquals(1, e.getInt(1024 + 4 * 0x02), "Read supported");
            assertEquals(0, e.getInt(1024 + 4 * 0x0C), "Verify not supported");
            ModelHarness.Done fw = admin.run(ModelHarness.getLogPage(0x03, 512, false), null);
            assertEquals(1, fw.data()[0], "AFI: slot 1 active");
            assertEquals("0.1.0", new String(fw.data(), 8, 5, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(64, admin.run(ModelHarness.getLogPage(0x01, 64, false), null).data().length);
            assertEquals(0x4109, admin.run(ModelHarness.getLogPage(0x08, 64, false), null).status(),
                    "Invalid Log Page");
            ByteBuffer misaligned = ModelHarness.getLogPage(0x02, 64, false);
            misaligned.putInt(48, 2);
            assertEquals(0x4002, admin.run(misaligned, null).status(), "LPO must be dword aligned");
        }
    }

    @Test
    void namespaceChangeCompletesAnOutstandingAsyncEvent() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            admin.run(setFeature(0x0B, 1 << 8), null);
            admin.submit(ModelHarness.sqe(0x0C, 0), null);
            assertTrue(admin.done.isEmpty(), "the AER is held");

            h.addUnit("disk1", 512, false);
            h.publish(2);
            ModelHarness.Done aen = admin.next();
            assertEquals(0, aen.status());
            assertEquals(0x00040002, aen.result(), "Notice, Namespace Attribute Changed, log 04h");

            ModelHarness.Done changed = admin.run(ModelHarness.getLogPage(0x04, 4096, false), null);
            ByteBuffer c = ModelHarness.le(changed.data());
            assertEquals(2, c.getInt(0));
            assertEquals(0, c.getInt(4));
            assertEquals(0, ModelHarness.le(admin.run(ModelHarness.getLogPage(0x04, 4096, false), null).data())
                    .getInt(0), "reading without RAE cleared it");

            for (int i = 0; i < Limits.ASYNC_EVENT_LIMIT; i++) {
                admin.submit(ModelHarness.sqe(0x0C, 0), null);
            }
            assertEquals(0x4105, admin.run(ModelHarness.sqe(0x0C, 0), null).status(),
                    "Asynchronous Event Request Limit Exceeded");
        }
    }

    @Test
    void keepAliveAndAbort() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            assertEquals(0, admin.run(ModelHarness.sqe(0x18, 0), null).status());
            ModelHarness.Done abort = admin.run(ModelHarness.sqe(0x08, 0), null);
            assertEquals(0, abort.status());
            assertEquals(1, abort.result() & 1, "best effort: not aborted");
            assertEquals(0x4001, admin.run(ModelHarness.sqe(0x80, 0), null).status(), "Invalid Command Opcode");
        }
    }
}
