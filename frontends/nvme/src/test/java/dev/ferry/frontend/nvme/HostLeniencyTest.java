package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Where Linux nvmet and SPDK are lenient about a host-side field without security meaning, Ferry is too; where
 * they check, so does Ferry (Base 2.0 5.16 Get Log Page, 5.17 Identify, 5.15/5.27 Get/Set Features, 5.25 Keep
 * Alive, 6.3 Connect).
 */
class HostLeniencyTest {
    static final int INVALID_FIELD = 0x4002;

    @Test
    void ioQueueConnectWithAnotherHostIdentifierJoinsTheController() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            int cntlid = h.cntlid(admin);
            UUID adminHostId = admin.queue.controller().hostId();
            byte[] data = ModelHarness.connectData(cntlid, ModelHarness.NQN, ModelHarness.HOST);
            ByteBuffer.wrap(data).putLong(0, 0x2122232425262728L).putLong(8, 0x3132333435363738L);
            ModelHarness.FakeQueue io = h.queue();
            ModelHarness.Done c = io.run(ModelHarness.connect(1, 127, 0), data);
            assertEquals(0, c.status(), "accepted, as nvmet and SPDK accept it");
            assertEquals(cntlid, c.result() & 0xFFFF);
            assertEquals(adminHostId, admin.queue.controller().hostId(),
                    "the controller keeps the admin queue's Host Identifier");
            ModelHarness.Done otherHost = h.queue().run(ModelHarness.connect(2, 127, 0),
                    ModelHarness.connectData(cntlid, ModelHarness.NQN, "nqn.2014-08.org.example:other"));
            assertEquals(0x4184, otherHost.status(), "the Host NQN is still checked");
        }
    }

    @Test
    void numberOfQueuesAskedAgainAfterIoQueuesAnswersTheAllocation() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            assertEquals(3 | 3 << 16, admin.run(AdminCommandsTest.setFeature(0x07, 3 | 3 << 16), null).result());
            assertEquals(1 | 1 << 16, admin.run(AdminCommandsTest.setFeature(0x07, 1 | 1 << 16), null).result(),
                    "before any I/O queue a second request is a new allocation");
            byte[] data = ModelHarness.connectData(h.cntlid(admin), ModelHarness.NQN, ModelHarness.HOST);
            assertEquals(0, h.queue().run(ModelHarness.connect(1, 127, 0), data).status());

            ModelHarness.Done again = admin.run(AdminCommandsTest.setFeature(0x07, 63 | 63 << 16), null);
            assertEquals(0, again.status(), "answered, as nvmet answers it");
            assertEquals(1 | 1 << 16, again.result(), "the allocation the queues were admitted under");
            assertEquals(0x4182, h.queue().run(ModelHarness.connect(3, 127, 0), data).status(),
                    "and still enforced");
            assertEquals(0, h.queue().run(ModelHarness.connect(2, 127, 0), data).status());
        }
    }

    @Test
    void getFeaturesAnswersTheCurrentValueForEverySelect() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            assertEquals(0, admin.run(AdminCommandsTest.setFeature(0x0F, 15000), null).status());
            for (int sel = 0; sel < 8; sel++) {
                ByteBuffer get = AdminCommandsTest.getFeature(0x0F);
                get.putInt(40, 0x0F | sel << 8);
                ModelHarness.Done d = admin.run(get, null);
                assertEquals(0, d.status(), "SEL " + sel);
                assertEquals(15000, d.result(), "SEL " + sel + ": no saved values exist, current = default = saved");
            }
        }
    }

    @Test
    void keepAliveIsAnAdminCommandWhateverTheTimeout() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            assertEquals(0, admin.run(ModelHarness.sqe(0x18, 0), null).status(),
                    "KATO 0: success, as SPDK (nvmet answers Keep Alive Timeout Invalid)");
            ModelHarness.FakeQueue io = h.queue();
            io.run(ModelHarness.connect(1, 127, 0), ModelHarness.connectData(h.cntlid(admin), ModelHarness.NQN,
                    ModelHarness.HOST));
            assertEquals(0x4001, io.run(ModelHarness.sqe(0x18, 0), null).status(),
                    "on an I/O queue: Invalid Command Opcode, as nvmet");
            assertEquals(0x4001, io.run(ModelHarness.sqe(0x18, 1), null).status(), "whatever the NSID");
        }
    }

    @Test
    void identifyIgnoresFieldsItsCnsDoesNotUse() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            byte[] plain = admin.run(ModelHarness.identify(0x01, 0), null).data();
            ByteBuffer noisy = ModelHarness.identify(0x01, 7);
            noisy.putShort(42, (short) 0x1234).put(47, (byte) 0x05); // CNTID and CSI, unused by CNS 01h
            ModelHarness.Done d = admin.run(noisy, null);
            assertEquals(0, d.status());
            assertArrayEquals(plain, d.data());

            ByteBuffer list = ModelHarness.identify(0x02, 0);
            list.putShort(42, (short) 0x1234).put(47, (byte) 0x09);
            assertEquals(1, ModelHarness.le(admin.run(list, null).data()).getInt(0), "CNS 02h ignores CSI");

            for (int cntid : new int[] {0xFFFF, h.cntlid(admin), 0, 0x1234}) {
                ByteBuffer sets = ModelHarness.identify(0x1C, 0);
                sets.putShort(42, (short) cntid);
                ModelHarness.Done s = admin.run(sets, null);
                assertEquals(0, s.status(), "CNS 1Ch, CNTID " + cntid + ": every controller has the same sets");
                assertEquals(1, s.data()[0]);
            }
        }
    }

    static ByteBuffer getLogPage(int lid, int bytes, long offset) {
        ByteBuffer b = ModelHarness.getLogPage(lid, bytes, false);
        b.putLong(48, offset); // CDW12 LPOL, CDW13 LPOU
        return b;
    }

    @Test
    void getLogPageOffsetAndLength() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            // Firmware Slot Information is 512 bytes: FRS1 "0.1.0" at byte 8.
            ModelHarness.Done window = admin.run(getLogPage(0x03, 8, 8), null);
            assertEquals(0, window.status());
            assertEquals("0.1.0   ", new String(window.data(), StandardCharsets.US_ASCII), "LPO 8: FRS1");

            ModelHarness.Done longer = admin.run(getLogPage(0x03, 1024, 0), null);
            assertEquals(0, longer.status(), "NUMD past the page: the page, then zeroes (nvmet, SPDK)");
            assertEquals(1024, longer.data().length);
            assertArrayEquals(new byte[512], Arrays.copyOfRange(longer.data(), 512, 1024));

            ModelHarness.Done atEnd = admin.run(getLogPage(0x03, 64, 512), null);
            assertEquals(0, atEnd.status(), "LPO equal to the size is not larger than it (5.16): zeroes");
            assertArrayEquals(new byte[64], atEnd.data());
            assertEquals(INVALID_FIELD, admin.run(getLogPage(0x03, 64, 516), null).status(),
                    "LPO larger than the page");
            assertEquals(INVALID_FIELD, admin.run(getLogPage(0x03, 64, 1L << 32), null).status(), "LPOU counts");
            assertEquals(INVALID_FIELD, admin.run(getLogPage(0x03, 64, -4), null).status(), "LPO is unsigned");
            assertEquals(INVALID_FIELD, admin.run(getLogPage(0x03, 64, 6), null).status(), "dword aligned");

            ByteBuffer numdu = ModelHarness.getLogPage(0x03, 64, false);
            numdu.putInt(44, 2); // NUMDU 2: (2 << 16) + 16 dwords, more than MDTS
            assertEquals(INVALID_FIELD, admin.run(numdu, null).status(), "NUMDU counts; beyond MDTS");
            ByteBuffer shortSgl = ModelHarness.getLogPage(0x03, 512, false);
            shortSgl.putInt(32, 256);
            assertEquals(0x400F, admin.run(shortSgl, null).status(), "NUMD beyond the SGL: Data SGL Length Invalid");
            ByteBuffer nvmEffects = ModelHarness.getLogPage(0x05, 4096, false);
            assertEquals(0, admin.run(nvmEffects, null).status(), "Commands Supported and Effects, CSI 00h");
            ByteBuffer zonedEffects = ModelHarness.getLogPage(0x05, 4096, false);
            zonedEffects.put(59, (byte) 0x02); // CDW14 31:24 CSI 02h, Zoned Namespace
            assertEquals(0x4109, admin.run(zonedEffects, null).status(), "not served: Invalid Log Page, as nvmet");
            ByteBuffer namespaced = ModelHarness.getLogPage(0x03, 64, false);
            namespaced.putInt(4, 1);
            assertEquals(0, admin.run(namespaced, null).status(),
                    "an NSID on a controller-scope page is ignored, as nvmet (SPDK refuses)");
        }
    }
}
