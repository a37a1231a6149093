package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.unit.UnitIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InquiryTest {
    private final BackendDescriptor thin = TargetHarness.disk("thin", 1 << 20);
    private final BackendDescriptor plain = TargetHarness.plainDisk("plain", 5000);
    private final TargetHarness h = new TargetHarness(thin, plain);

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static long u32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).getInt() & 0xFFFFFFFFL;
    }

    @Test
    void standardInquiry() {
        var r = h.run(A, 0, cdb(0x12, 0, 0, 0, 255, 0), 255, null).assertGood();
        byte[] d = r.data();
        assertEquals(96, d.length);
        assertEquals(0x00, d[0]);          // connected direct-access block device
        assertEquals(0x06, d[2]);          // SPC-4
        assertEquals(0x12, d[3]);          // HISUP, response data format 2
        assertEquals(91, d[4]);            // additional length
        assertEquals(0x02, d[7]);          // CMDQUE
        assertEquals("FERRY   ", new String(d, 8, 8, StandardCharsets.US_ASCII));
        assertEquals("RAM DISK        ", new String(d, 16, 16, StandardCharsets.US_ASCII));
        assertEquals(0x00A0, u16(d, 58));  // SAM-5
        assertEquals(0x0460, u16(d, 60));  // SPC-4
        assertEquals(0x04C0, u16(d, 62));  // SBC-3
        assertEquals(0x0960, u16(d, 64));  // iSCSI
        assertEquals(255 - 96, r.residual(), "underflow: 96 of the 255 allowed bytes moved");
    }

    @Test
    void allocationLengthTruncatesWithoutError() {
        var r = h.run(0x12, 0, 0, 0, 5, 0).assertGood();
        assertEquals(5, r.data().length);
        assertEquals(91, r.data()[4]);
    }

    @Test
    void expectedLengthShorterThanAllocationTruncatesAndReportsOverflow() {
        var r = h.run(A, 0, cdb(0x12, 0, 0, 0, 96, 0), 36, null).assertGood();
        assertEquals(36, r.data().length);
        assertEquals(-60, r.residual());
    }

    @Test
    void missingLunHasQualifier011bAndType1Fh() {
        var r = h.run(A, 7, cdb(0x12, 0, 0, 0, 96, 0), 96, null).assertGood();
        assertEquals(0x7F, r.data()[0] & 0xFF);
        // other commands to a missing LUN: LOGICAL UNIT NOT SUPPORTED
        h.run(A, 7, cdb(0x00), 0, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
    }

    @Test
    void pageCodeWithoutEvpdIsInvalid() {
        var r = h.run(0x12, 0, 0x80, 0, 255, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        assertEquals(0xC0, r.sense()[15] & 0xFF);   // SKSV, C/D
        assertEquals(2, u16(r.sense(), 16));         // field pointer at byte 2
    }

    @Test
    void supportedVpdPagesAscending() {
        byte[] d = h.run(0x12, 1, 0x00, 0, 255, 0).assertGood().data();
        int n = u16(d, 2);
        byte[] pages = Arrays.copyOfRange(d, 4, 4 + n);
        assertArrayEquals(new byte[] {0x00, (byte) 0x80, (byte) 0x83, (byte) 0x86, (byte) 0x8F, (byte) 0xB0,
                (byte) 0xB1, (byte) 0xB2}, pages);
        for (byte p : pages) {
            byte[] page = h.run(0x12, 1, p & 0xFF, 0, 255, 0).assertGood().data();
            assertEquals(p, page[1], "each advertised page answers");
            assertEquals(page.length - 4, u16(page, 2));
        }
        h.run(0x12, 1, 0xB3, 0, 255, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void unitSerialNumber() {
        byte[] d = h.run(0x12, 1, 0x80, 0, 255, 0).assertGood().data();
        assertEquals(thin.identity().serial(), new String(d, 4, u16(d, 2), StandardCharsets.US_ASCII));
    }

    /** Parses the designation descriptors of VPD 83h into (code set, PIV/assoc/type, value) entries. */
    private List<byte[]> designators(byte[] d) {
        List<byte[]> out = new ArrayList<>();
        int end = 4 + u16(d, 2);
        for (int at = 4; at < end; at += 4 + (d[at + 3] & 0xFF)) {
            out.add(Arrays.copyOfRange(d, at, at + 4 + (d[at + 3] & 0xFF)));
        }
        return out;
    }

    private static byte[] find(List<byte[]> ds, int byte1) {
        return ds.stream().filter(x -> (x[1] & 0xFF) == byte1).findFirst()
                .orElseThrow(() -> new AssertionError("no designator " + Integer.toHexString(byte1)));
    }

    @Test
    void deviceIdentification() {
        UnitIdentity id = thin.identity();
        List<byte[]> ds = designators(h.run(0x12, 1, 0x83, 0, 255, 0).assertGood().data());
        byte[] naa = find(ds, 0x03);
        assertEquals(0x01, naa[0]);                                    // binary
        assertEquals(id.naa(), ByteBuffer.wrap(naa, 4, 8).getLong());
        assertEquals(3, (naa[4] & 0xF0) >>> 4, "NAA type 3h, locally assigned");
        byte[] eui8 = ds.stream().filter(x -> x[1] == 0x02 && x[3] == 8).findFirst().orElseThrow();
        assertEquals(id.eui64(), ByteBuffer.wrap(eui8, 4, 8).getLong());
        byte[] eui16 = ds.stream().filter(x -> x[1] == 0x02 && x[3] == 16).findFirst().orElseThrow();
        assertArrayEquals(id.nguid(), Arrays.copyOfRange(eui16, 4, 20));
        byte[] t10 = find(ds, 0x01);
        assertEquals(0x02, t10[0]);                                    // ASCII
        assertEquals("FERRY   " + id.serial(), new String(t10, 4, t10[3], StandardCharsets.US_ASCII));
        byte[] portName = find(ds, 0x80 | 0x10 | 0x08);                // PIV, target port, SCSI name string
        assertEquals(0x53, portName[0] & 0xFF);                        // iSCSI, UTF-8
        assertEquals(0, portName[3] % 4);
        assertEquals(TargetHarness.PORT.targetPortName(),
                new String(portName, 4, TargetHarness.PORT.targetPortName().length(), StandardCharsets.UTF_8));
        assertEquals(0, portName[4 + TargetHarness.PORT.targetPortName().length()], "null terminated");
        byte[] rel = find(ds, 0x80 | 0x10 | 0x04);
        assertEquals(1, u16(rel, 6));
        byte[] tpg = find(ds, 0x80 | 0x10 | 0x05);
        assertEquals(0, u16(tpg, 6));
        byte[] device = find(ds, 0x80 | 0x20 | 0x08);                 // target device name
        assertTrue(new String(device, 4, device[3], StandardCharsets.UTF_8).startsWith("iqn.2026-01.dev.ferry:disk\0"));
    }

    @Test
    void blockLimits() {
        byte[] d = h.run(0x12, 1, 0xB0, 0, 255, 0).assertGood().data();
        assertEquals(0x3C, u16(d, 2));
        assertEquals(1, d[4] & 1, "WSNZ");
        assertTrue((d[5] & 0xFF) >= 1, "COMPARE AND WRITE supported");
        assertEquals(8, u16(d, 6), "4096/512 granularity");
        assertEquals(BlockLimits.TRANSFER_BYTES_LIMIT / 512, u32(d, 8), "max transfer: the frontend's, not 2048");
        assertTrue(u32(d, 20) > 0, "max unmap LBA count");
        assertEquals(256, u32(d, 24));
        assertEquals(1, u32(d, 28));
        assertEquals(0x80, d[32] & 0xFF);
        assertTrue(ByteBuffer.wrap(d, 36, 8).getLong() > 0, "max write same");
        byte[] p = h.run(A, 1, cdb(0x12, 1, 0xB0, 0, 255, 0), 255, null).assertGood().data();
        assertEquals(0, u32(p, 20), "no unmap without discard");
    }

    @Test
    void characteristicsAndProvisioning() {
        byte[] b1 = h.run(0x12, 1, 0xB1, 0, 255, 0).assertGood().data();
        assertEquals(1, u16(b1, 4), "non-rotating");
        byte[] b1p = h.run(A, 1, cdb(0x12, 1, 0xB1, 0, 255, 0), 255, null).assertGood().data();
        assertEquals(0, u16(b1p, 4), "rotational: rate not reported");
        byte[] b2 = h.run(0x12, 1, 0xB2, 0, 255, 0).assertGood().data();
        assertEquals(0xE4, b2[5] & 0xFF, "LBPU LBPWS LBPWS10 LBPRZ");
        assertEquals(0x02, b2[6] & 0x07, "thin provisioned");
        byte[] b2p = h.run(A, 1, cdb(0x12, 1, 0xB2, 0, 255, 0), 255, null).assertGood().data();
        assertEquals(0, b2p[5]);
        assertEquals(0, b2p[6]);
    }

    @Test
    void readCapacity10And16() {
        byte[] rc10 = h.run(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0).assertGood().data();
        assertEquals((1 << 20) - 1, u32(rc10, 0));
        assertEquals(512, u32(rc10, 4));
        h.run(0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00); // LBA without PMI
        byte[] rc16 = h.run(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0).assertGood().data();
        assertEquals(32, rc16.length);
        assertEquals((1 << 20) - 1, ByteBuffer.wrap(rc16, 0, 8).getLong());
        assertEquals(512, u32(rc16, 8));
        assertEquals(3, rc16[13] & 0x0F, "4096/512 = 2^3");
        assertEquals(0xC0, rc16[14] & 0xC0, "LBPME and LBPRZ");
        byte[] short16 = h.run(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0).assertGood().data();
        assertEquals(12, short16.length);
        byte[] plain16 = h.run(A, 1, cdb(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 32, null)
                .assertGood().data();
        assertEquals(0, plain16[14] & 0xC0);
        assertEquals(4999, ByteBuffer.wrap(plain16, 0, 8).getLong());
        // unknown SERVICE ACTION IN service action
        h.run(0x9E, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x20, 0);
    }

    @Test
    void readCapacity10SaturatesAbove2TiB() throws Exception {
        BackendDescriptor d = TargetHarness.disk("big", 0x1_0000_0001L);
        dev.ferry.core.backend.Backend nothing = new dev.ferry.core.backend.Backend() {
            @Override public BackendDescriptor describe() { return d; }
            @Override public void execute(dev.ferry.core.request.BlockRequest r) {
                r.complete(dev.ferry.core.request.CompletionStatus.GOOD);
            }
            @Override public void close() { }
        };
        try (TargetHarness big = new TargetHarness(8, nothing)) {
            byte[] rc10 = big.run(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0).assertGood().data();
            assertEquals(0xFFFFFFFFL, u32(rc10, 0));
        }
    }

    @Test
    void lunMaskHidesUnitsFromAnInitiator() {
        java.util.TreeMap<Long, dev.ferry.core.unit.LogicalUnit> map = new java.util.TreeMap<>();
        map.put(0L, h.units.get(0));
        map.put(1L, h.units.get(1));
        ScsiTarget masked = new ScsiTarget(new dev.ferry.core.unit.Export("iqn.2026-01.dev.ferry:disk", "iscsi", null,
                java.util.List.of(), map, java.util.List.of(
                        new dev.ferry.core.unit.InitiatorAccess(A.initiatorName(), null, null, java.util.Set.of(1L)),
                        dev.ferry.core.unit.InitiatorAccess.open(TargetHarness.B.initiatorName())), false));
        h.target = masked;
        byte[] a = h.run(A, 1, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, null).assertGood().data();
        assertEquals(8, u32(a, 0), "A sees only LUN 1");
        assertEquals(0x0001_0000_0000_0000L, ByteBuffer.wrap(a, 8, 8).getLong());
        byte[] inq = h.run(A, 0, cdb(0x12, 0, 0, 0, 96, 0), 96, null).assertGood().data();
        assertEquals(0x7F, inq[0] & 0xFF, "a masked LUN answers INQUIRY like an absent one");
        h.run(A, 0, TargetHarness.read10(0, 1), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
        h.run(A, 1, TargetHarness.read10(0, 1), 512, null).assertGood();
        byte[] b = h.run(TargetHarness.B, 0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, null).assertGood().data();
        assertEquals(16, u32(b, 0), "B has no mask and sees both");
        assertTrue(!masked.hasLun(Luns.encode(0), A), "task management finds no LUN 0 for A");
        assertTrue(masked.hasLun(Luns.encode(1), A));
        assertTrue(masked.hasLun(Luns.encode(0), TargetHarness.B));
    }

    @Test
    void resetsRequestedThroughAMaskChangeNothingOnHiddenUnits() {
        java.util.TreeMap<Long, dev.ferry.core.unit.LogicalUnit> map = new java.util.TreeMap<>();
        map.put(0L, h.units.get(0));
        map.put(1L, h.units.get(1));
        ScsiTarget masked = new ScsiTarget(new dev.ferry.core.unit.Export("iqn.2026-01.dev.ferry:disk", "iscsi", null,
                java.util.List.of(), map, java.util.List.of(
                        new dev.ferry.core.unit.InitiatorAccess(A.initiatorName(), null, null, java.util.Set.of(1L)),
                        dev.ferry.core.unit.InitiatorAccess.open(TargetHarness.B.initiatorName())), false));
        h.target = masked;
        h.run(TargetHarness.B, 0, TargetHarness.read10(0, 1), 512, null).assertGood(); // B's nexus exists on LUN 0
        masked.logicalUnitReset(Luns.encode(0), A);
        masked.targetReset(A);
        h.run(TargetHarness.B, 0, TargetHarness.read10(0, 1), 512, null).assertGood(); // no unit attention on LUN 0
        h.run(TargetHarness.B, 1, TargetHarness.read10(0, 1), 512, null)
                .assertCheck(SenseData.UNIT_ATTENTION, 0x29, 0x00); // A's target reset did reach LUN 1
    }

    @Test
    void reportLuns() {
        byte[] d = h.run(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0).assertGood().data();
        assertEquals(16, u32(d, 0));
        assertEquals(0L, ByteBuffer.wrap(d, 8, 8).getLong());
        assertEquals(0x0001_0000_0000_0000L, ByteBuffer.wrap(d, 16, 8).getLong());
        byte[] wl = h.run(0xA0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0).assertGood().data();
        assertEquals(8, u32(wl, 0));
        assertEquals(0xC101_0000_0000_0000L, ByteBuffer.wrap(wl, 8, 8).getLong());
        byte[] all = h.run(0xA0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0).assertGood().data();
        assertEquals(24, u32(all, 0));
        h.run(0xA0, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        h.run(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 0, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        // addressed to a LUN without a unit and to the well-known LUN
        byte[] missing = h.run(A, 9, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, null).assertGood().data();
        assertEquals(16, u32(missing, 0));
        var w = h.runLunField(0xC101_0000_0000_0000L, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0), 256);
        w.assertGood();
        assertEquals(16, w.data().length, "allocation length 16 truncates the list");
        assertEquals(16, u32(w.data(), 0), "LUN LIST LENGTH still tells the full length");
        byte[] inq = h.runLunField(0xC101_0000_0000_0000L, cdb(0x12, 0, 0, 0, 96, 0), 96).assertGood().data();
        assertEquals(0x1E, inq[0]);
        h.runLunField(0xC101_0000_0000_0000L, TargetHarness.read10(0, 1), 512)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x20, 0x00);
        assertTrue(h.target.hasLun(0xC101_0000_0000_0000L, A));
        assertTrue(h.target.hasLun(0x4001_0000_0000_0000L, A));
        assertTrue(!h.target.hasLun(Luns.encode(2), A));
    }
}
