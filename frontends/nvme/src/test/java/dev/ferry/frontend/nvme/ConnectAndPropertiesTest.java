package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Connect edge cases (Base 2.0 6.3) and the CC/CSTS handshakes (3.5.2, 3.6); DW0 carries IATTR/IPO on refusals. */
class ConnectAndPropertiesTest {
    static final int INVALID_PARAMETERS = 0x4182;

    @Test
    void connectRefusalsNameTheField() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ByteBuffer recfmt = ModelHarness.connect(0, 31, 0);
            recfmt.putShort(40, (short) 1);
            assertEquals(0x4180, h.queue().run(recfmt, ModelHarness.connectData(0xFFFF, ModelHarness.NQN,
                    ModelHarness.HOST)).status(), "Connect Incompatible Format");

            ModelHarness.Done zero = h.queue().run(ModelHarness.connect(0, 0, 0),
                    ModelHarness.connectData(0xFFFF, ModelHarness.NQN, ModelHarness.HOST));
            assertEquals(INVALID_PARAMETERS, zero.status());
            assertEquals(44, zero.result(), "IPO SQSIZE, IATTR 0: in the SQE");

            ModelHarness.Done staticId = h.queue().run(ModelHarness.connect(0, 31, 0),
                    ModelHarness.connectData(5, ModelHarness.NQN, ModelHarness.HOST));
            assertEquals(INVALID_PARAMETERS, staticId.status(), "only the dynamic model (CNTLID FFFFh)");
            assertEquals(1 << 16 | 16, staticId.result());

            ModelHarness.Done stranger = h.queue().run(ModelHarness.connect(0, 31, 0),
                    ModelHarness.connectData(0xFFFF, ModelHarness.NQN, "nqn.2014-08.org.example:other"));
            assertEquals(0x4184, stranger.status(), "Connect Invalid Host");
            assertEquals(1 << 16 | 512, stranger.result());
            assertTrue(h.target.controllers().isEmpty(), "no controller left behind");
        }
    }

    @Test
    void ioQueuesNeedAnEnabledControllerAndAFreeQid() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.queue();
            admin.run(ModelHarness.connect(0, 31, 0), ModelHarness.connectData(0xFFFF, ModelHarness.NQN,
                    ModelHarness.HOST));
            int cntlid = h.cntlid(admin);
            byte[] data = ModelHarness.connectData(cntlid, ModelHarness.NQN, ModelHarness.HOST);
            assertEquals(0x400C, h.queue().run(ModelHarness.connect(1, 127, 0), data).status(),
                    "Command Sequence Error before CC.EN");
            assertEquals(0x400C, admin.run(ModelHarness.identify(1, 0), null).status(),
                    "admin commands wait for CSTS.RDY too");
            admin.run(ModelHarness.propertySet(ControllerProperties.CC, ModelHarness.CC_ENABLE), null);

            ModelHarness.FakeQueue io1 = h.queue();
            assertEquals(0, io1.run(ModelHarness.connect(1, 127, 0), data).status());
            ModelHarness.Done dup = h.queue().run(ModelHarness.connect(1, 127, 0), data);
            assertEquals(INVALID_PARAMETERS, dup.status());
            assertEquals(42, dup.result(), "IPO QID");
            assertEquals(INVALID_PARAMETERS, h.queue().run(ModelHarness.connect(65, 127, 0), data).status(),
                    "beyond the number of queues");
            assertEquals(INVALID_PARAMETERS, h.queue().run(ModelHarness.connect(2, 128, 0), data).status(),
                    "SQSIZE above CAP.MQES");
            ModelHarness.Done wrongHost = h.queue().run(ModelHarness.connect(2, 127, 0),
                    ModelHarness.connectData(cntlid, ModelHarness.NQN, ModelHarness.HOST + "x"));
            assertEquals(0x4184, wrongHost.status(), "not in the ACL");
            assertEquals(0x400C, io1.run(ModelHarness.connect(1, 127, 0), data).status(), "one Connect per queue");
            assertFalse(io1.closed, "refusals disturb nothing");

            admin.run(ModelHarness.propertySet(ControllerProperties.CC, 0), null);
            assertTrue(io1.closed, "a controller reset deletes the I/O queues");
            assertEquals(0, ModelHarness.le(new byte[8]).getLong(0));
        }
    }

    @Test
    void propertiesAndShutdown() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.queue();
            assertEquals(0x400C, admin.run(ModelHarness.propertyGet(0, true), null).status(),
                    "nothing but Connect before Connect");
            admin.run(ModelHarness.connect(0, 31, 0), ModelHarness.connectData(0xFFFF, ModelHarness.NQN,
                    ModelHarness.HOST));
            long cap = admin.run(ModelHarness.propertyGet(ControllerProperties.CAP, true), null).result();
            assertEquals(127, cap & 0xFFFF, "MQES");
            assertEquals(15, cap >>> 24 & 0xFF, "TO 7.5 s");
            assertEquals(0x4002, admin.run(ModelHarness.propertyGet(ControllerProperties.CAP, false), null).status(),
                    "CAP is 8 bytes");
            assertEquals(0x4002, admin.run(ModelHarness.propertySet(0x20, 0x4E564D65), null).status(),
                    "NSSR is not supported");

            admin.run(ModelHarness.propertySet(ControllerProperties.CC, 1 | 7 << 16 | 4 << 20), null);
            assertEquals(2, admin.run(ModelHarness.propertyGet(ControllerProperties.CSTS, false), null).result(),
                    "IOSQES 7 is unusable: CSTS.CFS, not RDY");
            admin.run(ModelHarness.propertySet(ControllerProperties.CC, 0), null);
            admin.run(ModelHarness.propertySet(ControllerProperties.CC, ModelHarness.CC_ENABLE), null);
            assertEquals(1, admin.run(ModelHarness.propertyGet(ControllerProperties.CSTS, false), null).result());
            admin.run(ModelHarness.propertySet(ControllerProperties.CC, ModelHarness.CC_ENABLE | 1 << 14), null);
            assertEquals(1 | 2 << 2, admin.run(ModelHarness.propertyGet(ControllerProperties.CSTS, false), null)
                    .result(), "CSTS.SHST shutdown complete");
        }
    }

    @Test
    void completionEntryCarriesSqHeadSqIdAndCid() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0); // Connect and Property Set consumed two entries
            ByteBuffer keepAlive = ModelHarness.sqe(0x18, 0);
            keepAlive.putShort(2, (short) 0xBEEF);
            ModelHarness.Done d = admin.run(keepAlive, null);
            assertEquals(3, d.sqHead(), "SQHD after the third entry");
            assertEquals(0, d.sqId());
            assertEquals(0xBEEF, d.cid());
            for (int i = 0; i < 28; i++) {
                admin.run(ModelHarness.sqe(0x18, 0), null);
            }
            assertEquals(0, admin.run(ModelHarness.sqe(0x18, 0), null).sqHead(), "SQHD wraps at SQSIZE + 1 = 32");
        }
    }

    @Test
    void keepAliveTimeoutDeletesTheController() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(100);
            long deadline = System.currentTimeMillis() + 5000;
            while (!admin.closed && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(admin.closed, "the host sent nothing for KATO (plus one KAS granule)");
            assertTrue(h.target.controllers().isEmpty());
        }
    }
}
