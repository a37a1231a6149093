package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.unit.UnitIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Identify data structures checked at the byte offsets of NVMe Base 2.0 Figures 275-279 and NVM CS Figure 97. */
class IdentifyLayoutTest {

    private static String ascii(byte[] b, int from, int length) {
        return new String(b, from, length, StandardCharsets.US_ASCII);
    }

    @Test
    void identifyController() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(5000);
            ModelHarness.Done d = admin.run(ModelHarness.identify(0x01, 0), null);
            assertEquals(0, d.status());
            byte[] id = d.data();
            ByteBuffer b = ModelHarness.le(id);
            assertEquals(4096, id.length);
            assertEquals(20, ascii(id, 4, 20).length());
            assertEquals("Ferry NVMe-oF target", ascii(id, 24, 40).trim(), "MN");
            assertEquals("0.1.0", ascii(id, 64, 8).trim(), "FR");
            assertEquals(Limits.MDTS, id[77], "MDTS");
            assertEquals(h.cntlid(admin), b.getShort(78), "CNTLID");
            assertEquals(0x00010400, b.getInt(80), "VER 1.4");
            assertEquals(1 << 8 | 1 << 11, b.getInt(92), "OAES: namespace attribute and ANA change notices");
            assertEquals(1 | 1 << 6, b.getInt(96), "CTRATT: 128-bit host id, TBKAS");
            assertEquals(1, id[111], "CNTRLTYPE I/O controller");
            assertEquals(3, id[259], "AERL");
            assertEquals(10, b.getShort(320), "KAS: 1 s");
            assertEquals(0x66, id[512], "SQES");
            assertEquals(0x44, id[513], "CQES");
            assertEquals(128, b.getShort(514), "MAXCMD");
            assertEquals(1024, b.getInt(516), "NN");
            assertEquals(0x12D, b.getShort(520), "ONCS: Compare, DSM, Write Zeroes, Reservations (bit 5), Copy (bit 8)");
            assertEquals(0x0B, id[76], "CMIC: several ports (bit 0), several controllers (bit 1), ANA reporting (bit 3)");
            assertEquals(1, b.getShort(534), "OCFS: Copy Descriptor Format 0");
            assertEquals(1, b.getShort(522), "FUSES: Compare and Write");
            assertEquals(0, id[525], "VWC: the RAM disk has no volatile cache");
            assertEquals(1 | 1 << 20, b.getInt(536), "SGLS");
            assertEquals(ModelHarness.NQN, ascii(id, 768, ModelHarness.NQN.length()), "SUBNQN");
            assertEquals(0, id[768 + ModelHarness.NQN.length()], "SUBNQN NUL terminated");
            assertEquals((64 + 8192) / 16, b.getInt(1792), "IOCCSZ");
            assertEquals(1, b.getInt(1796), "IORCSZ");
            assertEquals(0, b.getShort(1800), "ICDOFF");
            assertEquals(1, id[1803], "MSDBD");
            assertEquals(1, b.getShort(1804), "OFCS: Disconnect");
        }
    }

    @Test
    void identifyNamespaceFromTheDescriptor() {
        UnitIdentity identity = UnitIdentity.derive("layout", "RAM DISK");
        BackendDescriptor d = new BackendDescriptor("layout", 2048, 512, 4096, 0, 2048, true, 8, true, true, false,
                false, false, true, identity);
        byte[] ns = new byte[4096];
        dev.ferry.frontend.nvme.admin.IdentifyNamespace.build(d, false).readBytes(ns);
        ByteBuffer b = ModelHarness.le(ns);
        assertEquals(2048, b.getLong(0), "NSZE");
        assertEquals(2048, b.getLong(8), "NCAP");
        assertEquals(2048, b.getLong(16), "NUSE");
        assertEquals(1 << 4, ns[24], "NSFEAT: OPTPERF");
        assertEquals(0, ns[25], "NLBAF: one format");
        assertEquals(0, ns[26], "FLBAS");
        assertEquals(1, ns[30], "NMIC: shared");
        assertEquals((byte) 0xFE, ns[31], "RESCAP: IEKEY (bit 7), the six types (bits 6:1), no PTPLS without a store");
        byte[] persistent = new byte[4096];
        dev.ferry.frontend.nvme.admin.IdentifyNamespace.build(d, true).readBytes(persistent);
        assertEquals((byte) 0xFF, persistent[31], "RESCAP with PTPLS (bit 0)");
        assertEquals(0x09, ns[33], "DLFEAT: reads zeroes, Write Zeroes may deallocate");
        assertEquals(7, b.getShort(64), "NPWG: 8 blocks per 4 KiB physical, 0's based");
        assertEquals(7, b.getShort(68), "NPDG: discard granularity 8");
        assertEquals(7, b.getShort(72), "NOWS falls back to the physical block");
        assertEquals(1, ns[99], "NSATTR: write protected");
        assertArrayEquals(identity.nguid(), Arrays.copyOfRange(ns, 104, 120), "NGUID");
        assertEquals(identity.eui64(), ByteBuffer.wrap(ns, 120, 8).getLong(), "EUI64, MSB first");
        assertEquals(9, ns[130], "LBAF0.LBADS = log2(512)");
    }

    @Test
    void namespaceListsAndDescriptors() throws Exception {
        try (ModelHarness h = new ModelHarness(512, 4096)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            byte[] list = admin.run(ModelHarness.identify(0x02, 0), null).data();
            ByteBuffer l = ModelHarness.le(list);
            assertEquals(1, l.getInt(0));
            assertEquals(2, l.getInt(4));
            assertEquals(0, l.getInt(8));
            assertEquals(2, ModelHarness.le(admin.run(ModelHarness.identify(0x02, 1), null).data()).getInt(0),
                    "only NSIDs above the given one");

            byte[] ns2 = admin.run(ModelHarness.identify(0x00, 2), null).data();
            assertEquals(12, ns2[130], "LBADS 12 for 4096-byte blocks");
            byte[] inactive = admin.run(ModelHarness.identify(0x00, 7), null).data();
            assertArrayEquals(new byte[4096], inactive, "inactive NSID: zero filled");

            UnitIdentity id = h.units.get("disk0").descriptor().identity();
            byte[] desc = admin.run(ModelHarness.identify(0x03, 1), null).data();
            assertEquals(1, desc[0], "NIDT EUI64");
            assertEquals(8, desc[1]);
            assertEquals(id.eui64(), ByteBuffer.wrap(desc, 4, 8).getLong());
            assertEquals(2, desc[12], "NIDT NGUID");
            assertEquals(16, desc[13]);
            assertArrayEquals(id.nguid(), Arrays.copyOfRange(desc, 16, 32));
            assertEquals(3, desc[32], "NIDT UUID");
            ByteBuffer u = ByteBuffer.wrap(desc, 36, 16);
            assertEquals(id.uuid(), new java.util.UUID(u.getLong(), u.getLong()));
            assertEquals(4, desc[52], "NIDT CSI");
            assertEquals(1, desc[53]);
            assertEquals(0, desc[56], "CSI: NVM");

            assertEquals(0x4002, admin.run(ModelHarness.identify(0x1F, 0), null).status(), "unsupported CNS");
            assertEquals(0x400B, admin.run(ModelHarness.identify(0x03, 9), null).status(), "inactive NSID");
        }
    }
}
