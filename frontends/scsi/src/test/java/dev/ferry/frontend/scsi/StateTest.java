package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.B;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mode parameters, unit attentions and reservations: the per-LU state shared by I_T nexuses. */
class StateTest {
    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048),
            TargetHarness.plainDisk("plain", 2048));

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private TargetHarness.Response run(ItNexus n, byte[] cdb) {
        return h.run(n, 0, cdb, 4096, null);
    }

    private static byte[] modeSense10(int pcPage, int alloc) {
        return cdb(0x5A, 0, pcPage, 0, 0, 0, 0, alloc >>> 8, alloc, 0);
    }

    /** The Caching page inside a MODE SENSE(10) answer with DBD. */
    private byte[] cachingPage(ItNexus n, int pc) {
        return page(n, pc, ModePages.CACHING);
    }

    private byte[] page(ItNexus n, int pc, int code) {
        byte[] d = run(n, cdb(0x5A, 0x08, (pc << 6) | code, 0, 0, 0, 0, 0, 255, 0)).assertGood().data();
        assertEquals(0, ((d[6] & 0xFF) << 8) | (d[7] & 0xFF), "DBD: no block descriptor");
        return Arrays.copyOfRange(d, 8, d.length);
    }

    @Test
    void softwareWriteProtectRefusesWritesUntilClearedOrReset() {
        run(B, cdb(0x00)).assertGood();
        assertEquals(ModePages.SWP, page(A, ModePages.PC_CHANGEABLE, ModePages.CONTROL)[4] & 0xFF, "SWP changeable");
        byte[] control = page(A, ModePages.PC_CURRENT, ModePages.CONTROL);
        control[4] |= ModePages.SWP;
        select(A, modeSelect10(control)).assertGood();
        h.run(A, 0, write10(0, 1), 512, new byte[512]).assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
        run(B, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x01);
        h.run(B, 0, write10(0, 1), 512, new byte[512]).assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
        h.run(A, 0, cdb(0x41, 0, 0, 0, 0, 0, 0, 0, 1, 0), 512, new byte[512])
                .assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);                 // WRITE SAME too
        run(A, read10(0, 1)).assertGood();
        assertEquals(0x80, run(A, cdb(0x1A, 0x08, 0x0A, 0, 255, 0)).assertGood().data()[2] & 0x80, "WP");
        control[4] &= ~ModePages.SWP;
        select(A, modeSelect10(control)).assertGood();
        h.run(A, 0, write10(0, 1), 512, new byte[512]).assertGood();
        // a LUN reset clears it
        control[4] |= ModePages.SWP;
        select(A, modeSelect10(control)).assertGood();
        h.target.logicalUnitReset(Luns.encode(0), A);
        run(A, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x29, 0x03);
        h.run(A, 0, write10(0, 1), 512, new byte[512]).assertGood();
    }

    @Test
    void modeSenseAllPagesWithBlockDescriptor() {
        byte[] d = run(A, cdb(0x1A, 0, 0x3F, 0, 255, 0)).assertGood().data();
        assertEquals(d.length - 1, d[0] & 0xFF, "MODE DATA LENGTH");
        assertEquals(0x10, d[2] & 0xFF, "DPOFUA, not WP");
        assertEquals(8, d[3], "short block descriptor");
        assertEquals(2048, ((d[4] & 0xFF) << 24) | ((d[5] & 0xFF) << 16) | ((d[6] & 0xFF) << 8) | (d[7] & 0xFF));
        assertEquals(512, ((d[9] & 0xFF) << 16) | ((d[10] & 0xFF) << 8) | (d[11] & 0xFF));
        int at = 12;
        int[] codes = new int[4];
        int n = 0;
        while (at < d.length) {
            codes[n++] = d[at] & 0x3F;
            at += 2 + (d[at + 1] & 0xFF);
        }
        assertEquals(d.length, at, "pages tile the data exactly");
        assertArrayEquals(new int[] {0x01, 0x08, 0x0A, 0x1C}, codes);
        // MODE SENSE(10) with LLBAA: long descriptor
        byte[] l = run(A, cdb(0x5A, 0x10, 0x08, 0, 0, 0, 0, 0, 255, 0)).assertGood().data();
        assertEquals(1, l[4] & 1, "LONGLBA");
        assertEquals(16, l[7]);
        assertEquals(2048L, java.nio.ByteBuffer.wrap(l, 8, 8).getLong());
        // truncated by allocation length, mode data length still complete
        byte[] t = run(A, cdb(0x1A, 0, 0x3F, 0, 4, 0)).assertGood().data();
        assertEquals(4, t.length);
        assertEquals(d[0], t[0]);
    }

    @Test
    void modeSensePageControlAndErrors() {
        assertEquals(ModePages.WCE, cachingPage(A, 0)[2] & ModePages.WCE, "current: enabled");
        assertEquals(ModePages.WCE, cachingPage(A, 1)[2] & 0xFF, "changeable: only WCE");
        assertEquals(ModePages.WCE, cachingPage(A, 2)[2] & ModePages.WCE, "default");
        run(A, cdb(0x1A, 0, 0xC8, 0, 255, 0)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x39, 0x00); // saved
        run(A, cdb(0x1A, 0, 0x19, 0, 255, 0)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00); // no such page
        run(A, cdb(0x1A, 0, 0x08, 0x01, 255, 0)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00); // subpage
        run(A, cdb(0x1A, 0, 0x3F, 0xFF, 255, 0)).assertGood();
        // a unit without a volatile cache: WCE 0 and not changeable
        byte[] p = h.run(A, 1, cdb(0x5A, 0x08, 0x48, 0, 0, 0, 0, 0, 255, 0), 255, null).assertGood().data();
        assertEquals(0, p[8 + 2]);
    }

    private byte[] modeSelect10(byte[] page) {
        byte[] list = new byte[8 + page.length];
        System.arraycopy(page, 0, list, 8, page.length);
        return list;
    }

    private TargetHarness.Response select(ItNexus n, byte[] list) {
        return h.run(n, 0, cdb(0x55, 0x10, 0, 0, 0, 0, 0, list.length >>> 8, list.length, 0), list.length, list);
    }

    @Test
    void modeSelectChangesWceAndOthersGetModeParametersChanged() {
        run(B, cdb(0x00)).assertGood();                 // B is a known nexus
        byte[] page = cachingPage(A, 0);
        page[0] &= 0x7F;                                // PS is reserved in MODE SELECT
        page[2] &= ~ModePages.WCE;
        select(A, modeSelect10(page)).assertGood();
        assertEquals(0, cachingPage(A, 0)[2] & ModePages.WCE, "WCE now off");
        run(A, cdb(0x00)).assertGood();                 // no UA for the nexus that changed it
        run(B, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x01);
        run(B, cdb(0x00)).assertGood();
        assertEquals(0, cachingPage(B, 0)[2] & ModePages.WCE);
        // writes still work with write-through
        h.run(A, 0, write10(0, 1), 512, new byte[512]).assertGood();
        // MODE SELECT(6) turns it back on
        page[2] |= ModePages.WCE;
        byte[] list6 = new byte[4 + page.length];
        System.arraycopy(page, 0, list6, 4, page.length);
        h.run(A, 0, cdb(0x15, 0x10, 0, 0, list6.length, 0), list6.length, list6).assertGood();
        assertEquals(ModePages.WCE, cachingPage(A, 0)[2] & ModePages.WCE);
        // LUN reset returns to the default
        page[2] &= ~ModePages.WCE;
        select(A, modeSelect10(page)).assertGood();
        h.target.logicalUnitReset(Luns.encode(0), A);
        run(A, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x29, 0x03);
        assertEquals(ModePages.WCE, cachingPage(A, 0)[2] & ModePages.WCE);
    }

    @Test
    void modeSelectRejectsUnchangeableFieldsAndBadLists() {
        byte[] page = cachingPage(A, 0);
        page[2] |= 0x01;                                // RCD is not changeable
        var r = select(A, modeSelect10(page)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        assertEquals(0x80 | 0x08, r.sense()[15] & 0xFF, "SKSV, parameter list, BPV bit 0");
        assertEquals(8 + 2, ((r.sense()[16] & 0xFF) << 8) | (r.sense()[17] & 0xFF));
        byte[] control = page(A, ModePages.PC_CURRENT, ModePages.CONTROL);
        control[2] |= 0x04;                             // D_SENSE
        select(A, modeSelect10(control)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        byte[] wrongLength = cachingPage(A, 0);
        wrongLength[1] = 0x0A;
        select(A, modeSelect10(Arrays.copyOf(wrongLength, 12))).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        byte[] truncated = Arrays.copyOf(modeSelect10(cachingPage(A, 0)), 8 + 10);
        select(A, truncated).assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
        // SP: no saved pages
        byte[] ok = modeSelect10(cachingPage(A, 0));
        h.run(A, 0, cdb(0x55, 0x11, 0, 0, 0, 0, 0, 0, ok.length, 0), ok.length, ok)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        // a block descriptor with another block size
        byte[] bd = new byte[8 + 8];
        bd[7] = 8;
        bd[8 + 6] = 0x10;                               // 4096
        select(A, bd).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        bd[8 + 6] = 0x02;                               // 512: accepted
        select(A, bd).assertGood();
        // WCE on a unit without a cache is not changeable
        byte[] plain = h.run(A, 1, cdb(0x5A, 0x08, 0x08, 0, 0, 0, 0, 0, 255, 0), 255, null).assertGood().data();
        byte[] pp = Arrays.copyOfRange(plain, 8, plain.length);
        pp[2] |= ModePages.WCE;
        byte[] list = modeSelect10(pp);
        h.run(A, 1, cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, list.length, 0), list.length, list)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
    }

    @Test
    void unitAttentionAfterLunResetIsReportedOnceToEveryNexusTheRequesterIncluded() {
        run(A, cdb(0x00)).assertGood();
        run(B, cdb(0x00)).assertGood();
        h.target.logicalUnitReset(Luns.encode(0), A);
        run(A, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x29, 0x03);
        run(A, cdb(0x00)).assertGood();
        // INQUIRY and REPORT LUNS pass a pending UA without clearing it
        run(B, cdb(0x12, 0, 0, 0, 36, 0)).assertGood();
        run(B, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood();
        var ua = run(B, read10(0, 1)).assertCheck(SenseData.UNIT_ATTENTION, 0x29, 0x03);
        assertEquals(0, ua.data().length);
        run(B, read10(0, 1)).assertGood();
    }

    @Test
    void requestSenseReturnsAndClearsTheUnitAttention() {
        run(A, cdb(0x00)).assertGood();
        run(B, cdb(0x00)).assertGood();
        h.target.targetReset(B);
        byte[] s = run(A, cdb(0x03, 0, 0, 0, 252, 0)).assertGood().data();
        assertEquals(18, s.length);
        assertEquals(0x70, s[0] & 0x7F);
        assertEquals(SenseData.UNIT_ATTENTION, s[2] & 0x0F);
        assertEquals(0x29, s[12]);
        assertEquals(0x00, s[13]);
        byte[] none = run(A, cdb(0x03, 0, 0, 0, 252, 0)).assertGood().data();
        assertEquals(SenseData.NO_SENSE, none[2] & 0x0F);
        assertEquals(0, none[12]);
        run(A, cdb(0x00)).assertGood();
        // descriptor format is not supported
        run(A, cdb(0x03, 1, 0, 0, 252, 0)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        // to a LUN without a unit: LOGICAL UNIT NOT SUPPORTED as parameter data
        byte[] missing = h.run(A, 5, cdb(0x03, 0, 0, 0, 18, 0), 18, null).assertGood().data();
        assertEquals(SenseData.ILLEGAL_REQUEST, missing[2] & 0x0F);
        assertEquals(0x25, missing[12]);
    }

    @Test
    void newNexusStartsWithoutUnitAttentionAndHooksReachKnownNexuses() {
        run(A, cdb(0x00)).assertGood();
        h.target.capacityChanged(h.units.get(0));
        h.target.reportedLunsChanged();
        run(A, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x09);
        run(A, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x3F, 0x0E);
        run(A, cdb(0x00)).assertGood();
        // REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED
        h.target.reportedLunsChanged();
        run(A, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood();
        run(A, cdb(0x00)).assertGood();
        ItNexus fresh = TargetHarness.nexus("iqn.2000-01.org.jscsi:c", 1);
        run(fresh, cdb(0x00)).assertGood();
        // a lost nexus forgets its conditions
        h.target.logicalUnitReset(Luns.encode(0), fresh);
        h.target.nexusLost(A);
        run(A, cdb(0x00)).assertGood();
    }

    @Test
    void aChangedLunMapKeepsUnitStateAndTellsConnectedInitiators() {
        run(A, cdb(0x16)).assertGood();                               // A reserves LUN 0
        run(B, cdb(0x12, 0, 0, 0, 36, 0)).assertGood();               // B is a known nexus too
        java.util.TreeMap<Long, dev.ferry.core.unit.LogicalUnit> onlyLun0 = new java.util.TreeMap<>();
        onlyLun0.put(0L, h.units.get(0));
        h.target = h.target.successor(new dev.ferry.core.unit.Export(h.target.export().name(), "iscsi", null,
                java.util.List.of(), onlyLun0, java.util.Set.of(), true));
        run(A, cdb(0x00)).assertCheck(SenseData.UNIT_ATTENTION, 0x3F, 0x0E);
        run(A, cdb(0x00)).assertGood();                               // reported once
        byte[] luns = run(B, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood().data();
        assertEquals(8, java.nio.ByteBuffer.wrap(luns).getInt(0), "LUN 1 is gone");
        // REPORT LUNS cleared B's unit attention; A's RESERVE(6) of LUN 0 survived the change
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, run(B, cdb(0x00)).status());
        h.run(B, 1, read10(0, 1), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
    }

    @Test
    void reserveConflictsBetweenNexuses() {
        run(A, cdb(0x16)).assertGood();
        run(A, cdb(0x16)).assertGood();                               // the holder may reserve again
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, run(B, read10(0, 1)).status());
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, run(B, cdb(0x00)).status());
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, run(B, cdb(0x16)).status());
        run(B, cdb(0x12, 0, 0, 0, 36, 0)).assertGood();               // INQUIRY is allowed
        run(B, cdb(0x03, 0, 0, 0, 18, 0)).assertGood();               // REQUEST SENSE too
        run(B, cdb(0x17)).assertGood();                               // RELEASE by a non-holder: no-op
        assertEquals(ScsiResponse.RESERVATION_CONFLICT, run(B, read10(0, 1)).status());
        run(A, read10(0, 1)).assertGood();
        h.run(B, 1, read10(0, 1), 512, null).assertGood();            // other units are not reserved
        ItNexus sameAsA = TargetHarness.nexus("iqn.1994-05.com.redhat:a", 0x23D000000001L);
        run(sameAsA, cdb(0x17)).assertGood();                         // an equal nexus value releases
        run(B, read10(0, 1)).assertGood();
        run(B, cdb(0x16)).assertGood();
        h.target.nexusLost(B);                                        // a lost nexus releases
        run(A, read10(0, 1)).assertGood();
        run(A, cdb(0x16)).assertGood();
        h.target.logicalUnitReset(Luns.encode(0), B);                 // so does a LUN reset
        run(B, read10(0, 1)).assertGood();  // no reservation; no UA: B's new nexus had sent no command yet
        run(A, read10(0, 1)).assertCheck(SenseData.UNIT_ATTENTION, 0x29, 0x03);
        run(A, read10(0, 1)).assertGood();
    }

    @Test
    void reportSupportedOperationCodes() {
        byte[] all = run(A, cdb(0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0)).assertGood().data();
        int length = java.nio.ByteBuffer.wrap(all, 0, 4).getInt();
        assertEquals(all.length - 4, length);
        assertEquals(0, length % 8);
        boolean sawRead10 = false;
        boolean sawUnmap = false;
        for (int at = 4; at < all.length; at += 8) {
            int op = all[at] & 0xFF;
            int cdbLength = ((all[at + 6] & 0xFF) << 8) | (all[at + 7] & 0xFF);
            assertEquals(Cdb.length(op), cdbLength);
            sawRead10 |= op == 0x28;
            sawUnmap |= op == 0x42;
            // every reported command is executed: a one-command query says "supported" with usage data
            boolean sa = (all[at + 5] & 1) != 0;
            int serviceAction = ((all[at + 2] & 0xFF) << 8) | (all[at + 3] & 0xFF);
            byte[] one = run(A, cdb(0xA3, 0x0C, sa ? 2 : 1, op, serviceAction >>> 8, serviceAction, 0, 0, 1, 0, 0, 0))
                    .assertGood().data();
            assertEquals(3, one[1] & 0x07, "SUPPORT for " + Integer.toHexString(op));
            assertEquals(cdbLength, ((one[2] & 0xFF) << 8) | (one[3] & 0xFF));
            assertEquals((byte) op, one[4], "usage data starts with the opcode");
        }
        assertTrue(sawRead10);
        assertTrue(sawUnmap);
        // READ(10) usage data: RDPROTECT not evaluated, DPO/FUA are, control byte evaluates nothing
        byte[] r10 = run(A, cdb(0xA3, 0x0C, 1, 0x28, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood().data();
        assertArrayEquals(new byte[] {0x28, 0x1A, -1, -1, -1, -1, 0x1F, -1, -1, 0x00}, Arrays.copyOfRange(r10, 4, 14));
        // not implemented
        byte[] no = run(A, cdb(0xA3, 0x0C, 1, 0x3C, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood().data();
        assertEquals(1, no[1] & 0x07);
        // UNMAP is not reported for a unit without discard
        byte[] plain = h.run(A, 1, cdb(0xA3, 0x0C, 1, 0x42, 0, 0, 0, 0, 1, 0, 0, 0), 256, null).assertGood().data();
        assertEquals(1, plain[1] & 0x07);
        // WRITE SAME(16): UNMAP (byte 1 bit 3) is evaluated on the thin unit only
        byte[] ws = run(A, cdb(0xA3, 0x0C, 1, 0x93, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood().data();
        assertEquals(0x09, ws[5]);
        byte[] wsPlain = h.run(A, 1, cdb(0xA3, 0x0C, 1, 0x93, 0, 0, 0, 0, 1, 0, 0, 0), 256, null).assertGood().data();
        assertEquals(0x01, wsPlain[5]);
        // service-action command asked without its service action
        run(A, cdb(0xA3, 0x0C, 1, 0x9E, 0, 0, 0, 0, 1, 0, 0, 0)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
        // with timeouts descriptors
        byte[] rctd = run(A, cdb(0xA3, 0x0C, 0x80, 0, 0, 0, 0, 0, 0x10, 0, 0, 0)).assertGood().data();
        assertEquals((all.length - 4) / 8 * 20, rctd.length - 4);
    }
}
