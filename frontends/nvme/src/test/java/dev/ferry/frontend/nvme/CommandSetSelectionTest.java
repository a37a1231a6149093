package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * I/O Command Set selection (NVMe Base 2.0 3.1.4 CAP.CSS/CC.CSS, 5.17 Identify CNS 05h-08h and 1Ch, 5.27.1.21
 * I/O Command Set Profile), checked byte by byte against vectors written from the specifications.
 */
class CommandSetSelectionTest {
    static final int CC_CSS_ALL = 0b110 << 4;
    static final int INVALID_FIELD = 0x4002;
    static final int INVALID_NAMESPACE = 0x400B;

    static ByteBuffer identify(int cns, long nsid, int csi) {
        ByteBuffer b = ModelHarness.identify(cns, nsid);
        b.put(47, (byte) csi); // CDW11 31:24 CSI
        return b;
    }

    static ModelHarness.FakeQueue enabled(ModelHarness h, int cc) throws Exception {
        ModelHarness.FakeQueue admin = h.queue();
        admin.run(ModelHarness.connect(0, 31, 0), ModelHarness.connectData(0xFFFF, ModelHarness.NQN,
                ModelHarness.HOST));
        admin.run(ModelHarness.propertySet(ControllerProperties.CC, cc), null);
        return admin;
    }

    static long csts(ModelHarness.FakeQueue admin) throws Exception {
        return admin.run(ModelHarness.propertyGet(ControllerProperties.CSTS, false), null).result();
    }

    @Test
    void capAdvertisesNvmAndIoCommandSetSelection() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE);
            long cap = admin.run(ModelHarness.propertyGet(ControllerProperties.CAP, true), null).result();
            // CAP.CSS is bits 44:37: bit 0 (CAP bit 37) NVM, bit 6 (CAP bit 43) I/O command sets, bit 7 clear.
            assertEquals(0b0100_0001, (cap >>> 37) & 0xFF, "CAP.CSS");
        }
    }

    @Test
    void ccCssAllIoCommandSetsEnablesTheController() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE | CC_CSS_ALL);
            assertEquals(1, csts(admin), "CSTS.RDY, no CFS");
            assertEquals(ModelHarness.CC_ENABLE | CC_CSS_ALL,
                    admin.run(ModelHarness.propertyGet(ControllerProperties.CC, false), null).result());
            assertEquals(0, admin.run(ModelHarness.identify(0x01, 0), null).status(), "admin commands run");
        }
    }

    @Test
    void reservedAndAdminOnlyCssValuesAreAFatalConfiguration() throws Exception {
        for (int css : new int[] {0b001, 0b010, 0b101, 0b111}) {
            try (ModelHarness h = new ModelHarness(512)) {
                ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE | css << 4);
                assertEquals(2, csts(admin), "CSS " + css + ": CSTS.CFS, not RDY");
                assertEquals(0x400C, admin.run(ModelHarness.identify(0x01, 0), null).status(),
                        "no admin command runs on a controller that is not ready");
            }
        }
    }

    @Test
    void ioCommandSetDataStructureListsNvmAlone() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE | CC_CSS_ALL);
            ModelHarness.Done d = admin.run(ModelHarness.identify(0x1C, 0), null);
            assertEquals(0, d.status());
            byte[] expected = new byte[4096];
            expected[0] = 0x01; // combination 0: I/O Command Set Vector bit 0, NVM; 511 empty combinations follow
            assertArrayEquals(expected, d.data());
        }
    }

    @Test
    void nvmCommandSetSpecificStructures() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE | CC_CSS_ALL);
            // CNS 06h CSI 00h: VSL, WZSL, WUSL, DMRL, DMRSL, DMSL all 0 = no limit beyond MDTS.
            ModelHarness.Done ctrl = admin.run(identify(0x06, 0, 0x00), null);
            assertEquals(0, ctrl.status());
            assertArrayEquals(new byte[4096], ctrl.data());
            // CNS 05h CSI 00h: LBSTM, PIC, ELBAF all 0 = no protection information, no storage tags.
            ModelHarness.Done ns = admin.run(identify(0x05, 1, 0x00), null);
            assertEquals(0, ns.status());
            assertArrayEquals(new byte[4096], ns.data());
            assertArrayEquals(new byte[4096], admin.run(identify(0x05, 9, 0x00), null).data(),
                    "inactive NSID: zero filled");
            assertEquals(INVALID_NAMESPACE, admin.run(identify(0x05, 0, 0x00), null).status());
            assertEquals(INVALID_NAMESPACE, admin.run(identify(0x05, 0xFFFFFFFFL, 0x00), null).status());
            for (int csi : new int[] {0x01, 0x02, 0x30}) {
                assertEquals(INVALID_FIELD, admin.run(identify(0x05, 1, csi), null).status(), "CSI " + csi);
                assertEquals(INVALID_FIELD, admin.run(identify(0x06, 0, csi), null).status(), "CSI " + csi);
                assertEquals(INVALID_FIELD, admin.run(identify(0x07, 0, csi), null).status(), "CSI " + csi);
            }
        }
    }

    @Test
    void activeNamespaceListForTheNvmCommandSet() throws Exception {
        try (ModelHarness h = new ModelHarness(512, 4096)) {
            ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE | CC_CSS_ALL);
            byte[] expected = new byte[4096];
            ByteBuffer.wrap(expected).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 1).putInt(4, 2);
            assertArrayEquals(expected, admin.run(identify(0x07, 0, 0x00), null).data());
            byte[] above1 = new byte[4096];
            above1[0] = 2;
            assertArrayEquals(above1, admin.run(identify(0x07, 1, 0x00), null).data());
            assertEquals(INVALID_NAMESPACE, admin.run(identify(0x07, 0xFFFFFFFEL, 0x00), null).status());
        }
    }

    @Test
    void commandSetIndependentNamespace() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            h.addUnit("disk1", 512, true);
            h.publish(2);
            ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE | CC_CSS_ALL);
            byte[] nvm = admin.run(ModelHarness.identify(0x00, 2), null).data();
            ModelHarness.Done d = admin.run(ModelHarness.identify(0x08, 2), null);
            assertEquals(0, d.status());
            byte[] expected = new byte[4096];
            expected[1] = 0x01; // NMIC bit 0: shared namespace
            expected[2] = nvm[31]; // RESCAP, as CNS 00h byte 31
            System.arraycopy(nvm, 92, expected, 4, 4); // ANAGRPID, as CNS 00h bytes 92-95
            expected[8] = 0x01; // NSATTR bit 0: write protected (disk1 is read-only)
            expected[14] = 0x01; // NSTAT bit 0: namespace ready
            assertArrayEquals(expected, d.data());
            assertEquals(0, admin.run(ModelHarness.identify(0x08, 1), null).data()[8], "disk0 is writable");
            assertArrayEquals(new byte[4096], admin.run(ModelHarness.identify(0x08, 9), null).data(),
                    "inactive NSID: zero filled");
            assertEquals(INVALID_NAMESPACE, admin.run(ModelHarness.identify(0x08, 0), null).status());
        }
    }

    @Test
    void ioCommandSetProfileFeature() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = enabled(h, ModelHarness.CC_ENABLE | CC_CSS_ALL);
            assertEquals(0, admin.run(AdminCommandsTest.setFeature(0x19, 0), null).status(), "IOCSCI 0: NVM");
            ModelHarness.Done get = admin.run(AdminCommandsTest.getFeature(0x19), null);
            assertEquals(0, get.status());
            assertEquals(0, get.result(), "IOCSCI 0");
            for (int index : new int[] {1, 2, 511}) {
                assertEquals(0x412B, admin.run(AdminCommandsTest.setFeature(0x19, index), null).status(),
                        "I/O Command Set Combination Rejected for the empty combination " + index);
            }
        }
    }

    @Test
    void discoveryControllerAnswersOnlyIdentifyController() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue disc = h.admin(NvmeTarget.DISCOVERY_NQN, ModelHarness.HOST, 0);
            for (int cns : new int[] {0x05, 0x06, 0x07, 0x08, 0x1C}) {
                assertEquals(INVALID_FIELD, disc.run(identify(cns, 1, 0), null).status(), "CNS " + cns);
            }
            assertEquals(INVALID_FIELD, disc.run(AdminCommandsTest.getFeature(0x19), null).status());
        }
    }
}
