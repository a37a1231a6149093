package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.pattern;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static dev.ferry.frontend.scsi.TargetHarness.rw10;
import static dev.ferry.frontend.scsi.TargetHarness.rw16;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockCommandsTest {
    static final long BLOCKS = 4096;
    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", BLOCKS),
            TargetHarness.plainDisk("plain", BLOCKS), TargetHarness.disk("ro", BLOCKS, 512, true));

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private TargetHarness.Response write(long lba, byte[] data) {
        return h.run(A, 0, write10(lba, data.length / 512), data.length, data);
    }

    private byte[] read(long lba, int blocks) {
        return h.run(A, 0, read10(lba, blocks), blocks * 512, null).assertGood().data();
    }

    @Test
    void writeThenReadEveryCdbSize() {
        byte[] d = pattern(4 * 512, 1);
        write(100, d).assertGood();
        assertArrayEquals(d, read(100, 4));
        // READ(6) / (12) / (16) of the same blocks
        assertArrayEquals(d, h.run(A, 0, cdb(0x08, 0, 0, 100, 4, 0), 2048, null).assertGood().data());
        assertArrayEquals(d, h.run(A, 0, cdb(0xA8, 0, 0, 0, 0, 100, 0, 0, 0, 4, 0, 0), 2048, null).assertGood().data());
        assertArrayEquals(d, h.run(A, 0, rw16(0x88, 100, 4, 0), 2048, null).assertGood().data());
        // WRITE(6), (12), (16) with FUA
        byte[] e = pattern(512, 2);
        h.run(A, 0, cdb(0x0A, 0, 0, 7, 1, 0), 512, e).assertGood();
        assertArrayEquals(e, read(7, 1));
        h.run(A, 0, cdb(0xAA, 0x08, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0), 512, e).assertGood();
        h.run(A, 0, rw16(0x8A, 9, 1, 0x08), 512, e).assertGood();
        assertArrayEquals(e, read(8, 1));
        assertArrayEquals(e, read(9, 1));
    }

    @Test
    void read6ZeroLengthMeans256Blocks() {
        var r = h.run(A, 0, cdb(0x08, 0, 0, 0, 0, 0), 256 * 512, null).assertGood();
        assertEquals(256 * 512, r.data().length);
        assertEquals(0, r.residual());
    }

    @Test
    void zeroLengthTransfersAreGoodButStillRangeChecked() {
        var r = h.run(A, 0, read10(0, 0), 0, null).assertGood();
        assertEquals(0, r.data().length);
        h.run(A, 0, write10(BLOCKS, 0), 0, null).assertGood();                 // at the end: fine
        h.run(A, 0, read10(BLOCKS + 1, 0), 0, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
    }

    @Test
    void outOfRange() {
        h.run(A, 0, read10(BLOCKS - 1, 2), 1024, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        h.run(A, 0, write10(BLOCKS, 1), 512, new byte[512]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        h.run(A, 0, rw16(0x88, 0x8000_0000_0000_0000L, 1, 0), 512, null)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        h.run(A, 0, rw16(0x88, -1L, 1, 0), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        assertEquals(512, read(BLOCKS - 1, 1).length);
    }

    @Test
    void transferLongerThanMaximumIsInvalid() throws Exception {
        int max = BlockLimits.TRANSFER_BYTES_LIMIT / 512;
        try (TargetHarness big = new TargetHarness(TargetHarness.disk("big", 2L * max))) {
            var r = big.run(A, 0, rw16(0x88, 0, max + 1, 0), (max + 1) * 512, null)
                    .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
            assertEquals(10, ((r.sense()[16] & 0xFF) << 8) | (r.sense()[17] & 0xFF));
        }
    }

    @Test
    void transfersLongerThanTheBackendTakesAreSplit() {
        int blocks = 2048 + 1000;                       // the harness backend takes 2048 blocks at a time
        byte[] d = pattern(blocks * 512, 21);
        h.run(A, 0, write10(0, blocks), d.length, d).assertGood();
        assertArrayEquals(d, read(0, blocks));
        h.run(A, 0, rw10(0x2F, 0, blocks, 0x02), d.length, d).assertGood();          // VERIFY BYTCHK=01b
        h.run(A, 0, rw10(0x2E, 0, blocks, 0x02), d.length, d).assertGood();          // WRITE AND VERIFY
        byte[] off = d.clone();
        int at = 2048 * 512 + 700;                       // in the second piece
        off[at] ^= 1;
        var r = h.run(A, 0, rw10(0x2F, 0, blocks, 0x02), off.length, off).assertCheck(SenseData.MISCOMPARE, 0x1D, 0);
        assertEquals(at, r.information(), "offset in the whole transfer");
    }

    @Test
    void protectFieldsAndReservedBitsAreInvalid() {
        var r = h.run(A, 0, rw10(0x28, 0, 1, 0x20), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        assertEquals(0xCD, r.sense()[15] & 0xFF, "SKSV C/D BPV bit 5");
        assertEquals(1, r.sense()[17]);
        h.run(A, 0, rw10(0x2A, 0, 1, 0xE0), 512, new byte[512]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
        // NACA in the control byte
        byte[] c = read10(0, 1);
        c[9] = 0x04;
        h.run(A, 0, c, 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        // DPO/FUA are fine
        h.run(A, 0, rw10(0x28, 0, 1, 0x18), 512, null).assertGood();
    }

    @Test
    void unknownOpcode() {
        h.run(0xC0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x20, 0x00);
        h.run(0x3C, 0, 0, 0, 0, 0, 0, 0, 0, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x20, 0x00); // READ BUFFER
        // REPORT REFERRALS (SERVICE ACTION IN 13h) is not implemented
        var sa = h.run(0x9E, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x20, 0);
        assertEquals(0xCC, sa.sense()[15] & 0xFF, "SKSV C/D BPV, bit 4 of byte 1: the SERVICE ACTION");
        assertEquals(1, sa.sense()[17]);
    }

    @Test
    void readResiduals() {
        // expected longer than the transfer: underflow, all data
        var under = h.run(A, 0, read10(0, 1), 1024, null).assertGood();
        assertEquals(512, under.data().length);
        assertEquals(512, under.residual());
        // expected shorter: overflow, Data-In cut to the expected length
        var over = h.run(A, 0, read10(0, 2), 512, null).assertGood();
        assertEquals(512, over.data().length);
        assertEquals(-512, over.residual());
        var none = h.run(A, 0, read10(0, 1), 0, null).assertGood();
        assertEquals(0, none.data().length);
        assertEquals(-512, none.residual());
    }

    @Test
    void writeUnderflowWritesOnlyTheCdbLength() {
        byte[] a = pattern(1024, 3);
        write(0, a).assertGood();
        byte[] b = new byte[1024];
        Arrays.fill(b, (byte) 'b');
        var r = h.run(A, 0, write10(0, 1), 1024, b).assertGood();
        assertEquals(512, r.residual());
        byte[] back = read(0, 2);
        assertArrayEquals(Arrays.copyOf(b, 512), Arrays.copyOf(back, 512));
        assertArrayEquals(Arrays.copyOfRange(a, 512, 1024), Arrays.copyOfRange(back, 512, 1024));
    }

    @Test
    void writeOverflowWritesTheWholeBlocksSent() {
        byte[] a = pattern(1024, 4);
        write(0, a).assertGood();
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) 'b');
        var r = h.run(A, 0, write10(0, 2), 512, b).assertGood();
        assertEquals(-512, r.residual(), "overflow: one block was not sent");
        byte[] back = read(0, 2);
        assertArrayEquals(b, Arrays.copyOf(back, 512));
        assertArrayEquals(Arrays.copyOfRange(a, 512, 1024), Arrays.copyOfRange(back, 512, 1024));
        // WRITE AND VERIFY likewise
        h.run(A, 0, rw10(0x2E, 0, 2, 0), 512, a).assertGood();
        assertArrayEquals(Arrays.copyOf(a, 512), read(0, 1));
        // nothing sent: nothing written
        var zero = h.run(A, 0, write10(0, 1), 0, null).assertGood();
        assertEquals(-512, zero.residual());
        assertArrayEquals(Arrays.copyOf(a, 512), read(0, 1));
        // part of a block cannot be written
        var partial = h.run(A, 0, write10(0, 1), 200, new byte[200]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x0E, 3);
        assertEquals(-312, partial.residual());
    }

    @Test
    void writeProtected() {
        h.run(A, 2, write10(0, 1), 512, new byte[512]).assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
        h.run(A, 2, read10(0, 1), 512, null).assertGood();
        byte[] ms = h.run(A, 2, cdb(0x1A, 0, 0x3F, 0, 255, 0), 255, null).assertGood().data();
        assertEquals(0x80, ms[2] & 0x80, "WP");
        byte[] ms0 = h.run(A, 0, cdb(0x1A, 0, 0x3F, 0, 255, 0), 255, null).assertGood().data();
        assertEquals(0, ms0[2] & 0x80);
    }

    @Test
    void verifyWithAndWithoutByteCheck() {
        byte[] d = pattern(2048, 5);
        write(10, d).assertGood();
        h.run(A, 0, rw10(0x2F, 10, 4, 0), 0, null).assertGood();                   // BYTCHK 0
        h.run(A, 0, rw10(0x2F, 10, 4, 0x02), 2048, d).assertGood();                // BYTCHK 1, equal
        byte[] bad = d.clone();
        bad[1234] ^= 0x40;
        var r = h.run(A, 0, rw10(0x2F, 10, 4, 0x02), 2048, bad).assertCheck(SenseData.MISCOMPARE, 0x1D, 0x00);
        assertEquals(0x80, r.sense()[0] & 0x80, "VALID");
        assertEquals(1234, r.information());
        h.run(A, 0, rw16(0x8F, 10, 4, 0x02), 2048, bad).assertCheck(SenseData.MISCOMPARE, 0x1D, 0x00);
        h.run(A, 0, rw10(0x2F, 10, 4, 0x04), 2048, d).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        // BYTCHK 11b: one block compared with every block
        byte[] same = pattern(512, 6);
        byte[] four = new byte[2048];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(same, 0, four, i * 512, 512);
        }
        write(20, four).assertGood();
        h.run(A, 0, rw10(0x2F, 20, 4, 0x06), 512, same).assertGood();
        h.run(A, 0, rw10(0x2F, 19, 4, 0x06), 512, same).assertCheck(SenseData.MISCOMPARE, 0x1D, 0x00);
        h.run(A, 0, rw10(0x2F, BLOCKS - 1, 2, 0), 0, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
    }

    @Test
    void writeAndVerify() {
        byte[] d = pattern(1024, 7);
        h.run(A, 0, rw10(0x2E, 30, 2, 0x02), 1024, d).assertGood();
        assertArrayEquals(d, read(30, 2));
        h.run(A, 0, rw16(0x8E, 40, 2, 0), 1024, d).assertGood();
        assertArrayEquals(d, read(40, 2));
        h.run(A, 0, cdb(0xAE, 0, 0, 0, 0, 50, 0, 0, 0, 2, 0, 0), 1024, d).assertGood();
        assertArrayEquals(d, read(50, 2));
    }

    @Test
    void compareAndWrite() {
        byte[] old = pattern(512, 8);
        byte[] next = pattern(512, 9);
        write(60, old).assertGood();
        byte[] both = new byte[1024];
        System.arraycopy(old, 0, both, 0, 512);
        System.arraycopy(next, 0, both, 512, 512);
        h.run(A, 0, cas(60, 1), 1024, both).assertGood();
        assertArrayEquals(next, read(60, 1));
        // the same again now miscompares: first difference is byte 0 or later
        var r = h.run(A, 0, cas(60, 1), 1024, both).assertCheck(SenseData.MISCOMPARE, 0x1D, 0x00);
        int first = 0;
        while (old[first] == next[first]) {
            first++;
        }
        assertEquals(first, r.information());
        assertArrayEquals(next, read(60, 1), "a miscompare writes nothing");
        byte[] nearly = next.clone();
        nearly[300] ^= 1;
        System.arraycopy(nearly, 0, both, 0, 512);
        assertEquals(300, h.run(A, 0, cas(60, 1), 1024, both).assertCheck(SenseData.MISCOMPARE, 0x1D, 0).information());
        // zero blocks: no-op
        h.run(A, 0, cas(60, 0), 0, null).assertGood();
        // the longest advertised (255 blocks here)
        h.run(A, 0, cas(1000, 255), 255 * 1024, new byte[255 * 1024]).assertGood();
        h.run(A, 0, cas(BLOCKS, 1), 1024, both).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        // Data-Out other than twice the blocks, zero blocks included: INVALID FIELD IN CDB at NUMBER OF LBs
        h.run(A, 0, cas(0, 1), 512, old).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        var more = h.run(A, 0, cas(60, 1), 2048, new byte[2048]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        assertEquals(13, more.sense()[17]);
        h.run(A, 0, cas(60, 256), 512 * 1024, new byte[512 * 1024]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
        assertArrayEquals(next, read(60, 1));
    }

    private static byte[] cas(long lba, int blocks) {
        byte[] c = rw16(0x89, lba, 0, 0);
        c[13] = (byte) blocks;
        return c;
    }

    @Test
    void compareAndWriteLimit() throws Exception {
        try (TargetHarness small = new TargetHarness(new dev.ferry.core.backend.BackendDescriptor("s", 1024, 512,
                512, 0, 8, false, 1, false, false, false, false, false, false,
                dev.ferry.core.unit.UnitIdentity.derive("s", "S")))) {
            small.run(A, 0, cas(0, 5), 5 * 1024, new byte[5 * 1024]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
            small.run(A, 0, cas(0, 4), 4 * 1024, new byte[4 * 1024]).assertGood();
        }
    }

    /**
     * A backend that compares fewer blocks atomically than the frontend could carry (rbd: one 512-byte sector) has
     * its limit in the Block Limits VPD page and enforced, ORWRITE included; with none, COMPARE AND WRITE is not
     * supported (MAXIMUM COMPARE AND WRITE LENGTH 0, SBC-4 6.6.4).
     */
    @Test
    void compareAndWriteLimitOfTheBackend() throws Exception {
        var one = TargetHarness.disk("one", 1024).withMaxCompareAndWriteBlocks(1);
        var none = TargetHarness.disk("none", 1024).withMaxCompareAndWriteBlocks(0);
        try (TargetHarness limited = new TargetHarness(one, none)) {
            assertEquals(1, limited.run(A, 0, cdb(0x12, 1, 0xB0, 0, 255, 0), 255, null).assertGood().data()[5]);
            assertEquals(0, limited.run(A, 1, cdb(0x12, 1, 0xB0, 0, 255, 0), 255, null).assertGood().data()[5]);
            var two = limited.run(A, 0, cas(0, 2), 4 * 512, new byte[4 * 512])
                    .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
            assertEquals(13, two.sense()[17], "field pointer: NUMBER OF LOGICAL BLOCKS");
            limited.run(A, 0, cas(0, 1), 2 * 512, new byte[2 * 512]).assertGood();
            limited.run(A, 0, rw16(0x8B, 0, 2, 0), 2 * 512, new byte[2 * 512])
                    .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
            limited.run(A, 0, rw16(0x8B, 0, 1, 0), 512, new byte[512]).assertGood();
            limited.run(A, 1, cas(0, 1), 2 * 512, new byte[2 * 512]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
            limited.run(A, 1, rw16(0x8B, 0, 1, 0), 512, new byte[512])
                    .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        }
    }

    @Test
    void orWriteOrsTheDataIntoTheBlocks() {
        byte[] old = pattern(2 * 512, 30);
        write(70, old).assertGood();
        byte[] mask = pattern(2 * 512, 31);
        h.run(A, 0, rw16(0x8B, 70, 2, 0x08), mask.length, mask).assertGood();
        byte[] expect = new byte[old.length];
        for (int i = 0; i < old.length; i++) {
            expect[i] = (byte) (old[i] | mask[i]);
        }
        assertArrayEquals(expect, read(70, 2));
        h.run(A, 0, rw16(0x8B, 70, 0, 0), 0, null).assertGood();                               // zero blocks
        h.run(A, 0, rw16(0x8B, BLOCKS - 1, 2, 0), 1024, new byte[1024])
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        h.run(A, 0, rw16(0x8B, 70, 1, 0x20), 512, new byte[512])
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);                          // ORPROTECT
        int tooLong = 2048 / 2 + 1;                     // more than one COMPARE AND WRITE request carries
        h.run(A, 0, rw16(0x8B, 0, tooLong, 0), tooLong * 512, new byte[tooLong * 512])
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        h.run(A, 0, rw16(0x8B, 70, 2, 0), 512, new byte[512]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x0E, 0x03);
        h.run(A, 2, rw16(0x8B, 70, 1, 0), 512, new byte[512]).assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
        assertArrayEquals(expect, read(70, 2));
    }

    @Test
    void readDefectDataIsAnEmptyListInTheRequestedFormat() {
        byte[] d10 = h.run(A, 0, cdb(0x37, 0, 0x18 | 0x03, 0, 0, 0, 0, 0, 32, 0), 32, null).assertGood().data();
        assertArrayEquals(new byte[] {0, 0x1B, 0, 0}, d10, "PLIST GLIST long block format, length 0");
        byte[] d12 = h.run(A, 0, cdb(0xB7, 0x08, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 32, null).assertGood().data();
        assertArrayEquals(new byte[] {0, 0x08, 0, 0, 0, 0, 0, 0}, d12);
        assertEquals(2, h.run(A, 0, cdb(0x37, 0, 0, 0, 0, 0, 0, 0, 2, 0), 2, null).assertGood().data().length);
        h.run(A, 0, cdb(0x37, 0, 0x07, 0, 0, 0, 0, 0, 32, 0), 32, null)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);                  // format 111b is reserved
    }

    @Test
    void synchronizeCacheAndPrefetch() {
        h.run(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0).assertGood();
        h.run(A, 0, rw16(0x91, 0, 0, 0x02), 0, null).assertGood();
        h.run(A, 0, rw10(0x35, BLOCKS + 1, 0, 0), 0, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        h.run(A, 0, rw10(0x34, 0, 16, 0), 0, null).assertGood();
        h.run(A, 0, rw16(0x90, 0, 0, 0), 0, null).assertGood();
        h.run(A, 0, rw10(0x34, BLOCKS - 1, 2, 0), 0, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        // START STOP UNIT: stop flushes, LOEJ and power conditions are refused
        h.run(0x1B, 0, 0, 0, 0x00, 0).assertGood();
        h.run(0x1B, 0, 0, 0, 0x01, 0).assertGood();
        h.run(0x1B, 0, 0, 0, 0x02, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        h.run(0x1B, 0, 0, 0, 0x30, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        h.run(0x1E, 0, 0, 0, 0x01, 0).assertGood();
        h.run(0x00, 0, 0, 0, 0, 0).assertGood();
    }

    @Test
    void unmapReadsBackZero() {
        write(200, pattern(8 * 512, 10)).assertGood();
        write(300, pattern(2 * 512, 11)).assertGood();
        byte[] list = unmapList(new long[] {202, 2}, new long[] {300, 2});
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), list.length, list).assertGood();
        byte[] back = read(200, 8);
        byte[] expect = pattern(8 * 512, 10);
        Arrays.fill(expect, 2 * 512, 4 * 512, (byte) 0);
        assertArrayEquals(expect, back);
        assertArrayEquals(new byte[1024], read(300, 2));
    }

    private static byte[] unmapList(long[]... ranges) {
        byte[] p = new byte[8 + 16 * ranges.length];
        int dl = p.length - 2;
        p[0] = (byte) (dl >>> 8);
        p[1] = (byte) dl;
        p[2] = (byte) ((16 * ranges.length) >>> 8);
        p[3] = (byte) (16 * ranges.length);
        for (int i = 0; i < ranges.length; i++) {
            int at = 8 + 16 * i;
            for (int k = 0; k < 8; k++) {
                p[at + k] = (byte) (ranges[i][0] >>> (56 - 8 * k));
            }
            for (int k = 0; k < 4; k++) {
                p[at + 8 + k] = (byte) (ranges[i][1] >>> (24 - 8 * k));
            }
        }
        return p;
    }

    @Test
    void unmapParameterListChecks() {
        byte[] good = pattern(512, 12);
        write(400, good).assertGood();
        // a valid range followed by one beyond the end: nothing is unmapped
        byte[] list = unmapList(new long[] {400, 1}, new long[] {BLOCKS - 1, 2});
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), list.length, list)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        assertArrayEquals(good, read(400, 1));
        // parameter list length 0: nothing
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, null).assertGood();
        // shorter than the header
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 4, 0), 4, new byte[4]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0);
        // ANCHOR
        byte[] one = unmapList(new long[] {400, 1});
        h.run(A, 0, cdb(0x42, 1, 0, 0, 0, 0, 0, 0, one.length, 0), one.length, one)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        // parameter list length beyond what is sent
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 64, 0), one.length, one).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0);
        // too many descriptors
        long[][] many = new long[257][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new long[] {i, 1};
        }
        byte[] big = unmapList(many);
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, big.length >>> 8, big.length, 0), big.length, big)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        // a unit without discard does not have UNMAP
        h.run(A, 1, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, one.length, 0), one.length, one)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x20, 0x00);
        h.run(A, 2, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, one.length, 0), one.length, one)
                .assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
        assertArrayEquals(good, read(400, 1));
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, one.length, 0), one.length, one).assertGood();
        assertArrayEquals(new byte[512], read(400, 1));
    }

    @Test
    void writeSamePatternZeroAndUnmap() {
        byte[] block = pattern(512, 13);
        h.run(A, 0, rw10(0x41, 500, 2100, 0), 512, block).assertGood();     // more than one chunk? 2100 > 2048
        byte[] back = h.run(A, 0, rw16(0x88, 500, 2048, 0), 2048 * 512, null).assertGood().data();
        for (int i = 0; i < 2048; i++) {
            assertArrayEquals(block, Arrays.copyOfRange(back, i * 512, i * 512 + 512), "block " + i);
        }
        assertArrayEquals(block, read(500 + 2099, 1));
        assertArrayEquals(new byte[512], read(500 + 2100, 1));
        // zero with UNMAP: deallocate
        h.run(A, 0, rw16(0x93, 500, 10, 0x08), 512, new byte[512]).assertGood();
        assertArrayEquals(new byte[10 * 512], read(500, 10));
        // NDOB: no data, zeroes
        h.run(A, 0, rw16(0x93, 510, 10, 0x09), 0, null).assertGood();
        assertArrayEquals(new byte[10 * 512], read(510, 10));
        assertArrayEquals(block, read(520, 1));
        // a plain unit writes the pattern (and zeroes without native write-zeroes) but cannot unmap
        h.run(A, 1, rw10(0x41, 5, 3, 0), 512, block).assertGood();
        assertArrayEquals(block, h.run(A, 1, read10(7, 1), 512, null).assertGood().data());
        h.run(A, 1, rw10(0x41, 5, 3, 0x08), 512, new byte[512]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        assertArrayEquals(block, h.run(A, 1, read10(7, 1), 512, null).assertGood().data());
        h.run(A, 1, rw10(0x41, 5, 3, 0), 512, new byte[512]).assertGood();
        assertArrayEquals(new byte[512], h.run(A, 1, read10(7, 1), 512, null).assertGood().data());
    }

    @Test
    void writeSameChecks() {
        byte[] block = new byte[512];
        h.run(A, 0, rw10(0x41, 0, 0, 0), 512, block).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00); // WSNZ
        h.run(A, 0, rw10(0x41, BLOCKS + 1, 0, 0), 512, block).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        h.run(A, 0, rw10(0x41, 0, 1, 0x10), 512, block).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00); // ANCHOR
        h.run(A, 0, rw10(0x41, 0, 1, 0x02), 512, block).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00); // LBDATA
        h.run(A, 0, rw10(0x41, BLOCKS - 1, 2, 0), 512, block).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        h.run(A, 2, rw10(0x41, 0, 1, 0), 512, block).assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
        // the pattern is one block of Data-Out, no more, no less
        h.run(A, 0, rw10(0x41, 0, 1, 0), 1024, new byte[1024]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x0E, 0x03);
        h.run(A, 0, rw10(0x41, 0, 1, 0), 256, new byte[256]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x0E, 0x03);
    }

    @Test
    void taskSetFullWhenTheQueueIsExhausted() throws Exception {
        try (TargetHarness tiny = new TargetHarness(1, TargetHarness.disk("t", 64))) {
            var held = tiny.queue.acquire();
            var r = tiny.run(A, 0, read10(0, 1), 512, null);
            assertEquals(ScsiResponse.TASK_SET_FULL, r.status());
            held.release();
            tiny.run(A, 0, read10(0, 1), 512, null).assertGood();
        }
    }
}
