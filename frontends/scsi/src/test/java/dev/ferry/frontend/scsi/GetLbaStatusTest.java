package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.disk;
import static dev.ferry.frontend.scsi.TargetHarness.plainDisk;
import static dev.ferry.frontend.scsi.TargetHarness.rw16;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.backend.ram.RamBackend;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.request.AllocationExtents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SBC-3 5.8 GET LBA STATUS: the parameter data byte for byte, and a RAM disk's answers after writes, UNMAP and
 * WRITE SAME with UNMAP (its 64 KiB chunks are 128 blocks of 512 bytes: a chunk is deallocated only when no byte of
 * it holds memory), the bounds a hostile ALLOCATION LENGTH or STARTING LBA meets, and a unit that cannot tell.
 */
class GetLbaStatusTest {
    private static final int CHUNK = 128;
    private static final long BLOCKS = 64 * CHUNK + 40; // the last chunk is partial
    private static final int RAM = 0;
    private static final int PLAIN = 1;

    private final TargetHarness h = new TargetHarness(64, new Backend[] {
            new RamBackend(disk("ram", BLOCKS).reportingAllocation()), new RamBackend(plainDisk("plain", 1000))});

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** One LBA status descriptor (SBC-3 5.8.2): LBA, NUMBER OF LOGICAL BLOCKS, PROVISIONING STATUS. */
    record Descriptor(long lba, long blocks, int status) {
    }

    @Test
    void parameterDataBytesFollowTheTable() {
        ByteBuf extents = Unpooled.buffer(3 * AllocationExtents.BYTES, 3 * AllocationExtents.BYTES);
        AllocationExtents.append(extents, 0x80, false);
        AllocationExtents.append(extents, 0x100, true);
        AllocationExtents.append(extents, 0x100, true); // merged with the one before
        AllocationExtents.append(extents, 0x01020304L, false);
        byte[] d = GetLbaStatusCommand.parameterData(0x0102030405060708L, extents);
        byte[] want = {
                0, 0, 0, 0x34, 0, 0, 0, 0, // PARAMETER DATA LENGTH 52 = 4 + 3 x 16, reserved
                1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, (byte) 0x80, 0, 0, 0, 0,
                1, 2, 3, 4, 5, 6, 7, (byte) 0x88, 0, 0, 2, 0, 1, 0, 0, 0,
                1, 2, 3, 4, 5, 6, 9, (byte) 0x88, 1, 2, 3, 4, 0, 0, 0, 0};
        assertArrayEquals(want, d);
    }

    @Test
    void aFreshDiskIsDeallocatedToItsEnd() {
        assertEquals(List.of(new Descriptor(0, BLOCKS, 1)), status(RAM, 0, 1024));
        assertEquals(List.of(new Descriptor(BLOCKS - 1, 1, 1)), status(RAM, BLOCKS - 1, 1024));
    }

    @Test
    void writesMapWholeChunksAndAnswersStartAtTheStartingLba() {
        write(CHUNK - 1, 2); // the last block of chunk 0 and the first of chunk 1
        write(5 * CHUNK + 7, 1);
        assertEquals(List.of(new Descriptor(0, 2 * CHUNK, 0), new Descriptor(2 * CHUNK, 3 * CHUNK, 1),
                new Descriptor(5 * CHUNK, CHUNK, 0), new Descriptor(6 * CHUNK, BLOCKS - 6 * CHUNK, 1)),
                status(RAM, 0, 1024));
        assertEquals(new Descriptor(CHUNK + 3, CHUNK - 3, 0), status(RAM, CHUNK + 3, 24).get(0));
        assertEquals(new Descriptor(2 * CHUNK + 1, 3 * CHUNK - 1, 1), status(RAM, 2 * CHUNK + 1, 24).get(0));
    }

    @Test
    void unmapDeallocatesWholeChunksOnly() {
        write(0, 3 * CHUNK);
        unmap(CHUNK, CHUNK);   // chunk 1 whole: its memory goes
        unmap(2 * CHUNK, 1);   // one block of chunk 2: zeroed, still mapped
        assertEquals(List.of(new Descriptor(0, CHUNK, 0), new Descriptor(CHUNK, CHUNK, 1),
                new Descriptor(2 * CHUNK, CHUNK, 0), new Descriptor(3 * CHUNK, BLOCKS - 3 * CHUNK, 1)),
                status(RAM, 0, 1024));
    }

    @Test
    void writeSameWithUnmapDeallocates() {
        write(0, 2 * CHUNK);
        h.run(A, RAM, rw16(0x93, 0, CHUNK, 0x08), 512, new byte[512]).assertGood(); // WRITE SAME(16) UNMAP
        assertEquals(List.of(new Descriptor(0, CHUNK, 1), new Descriptor(CHUNK, CHUNK, 0),
                new Descriptor(2 * CHUNK, BLOCKS - 2 * CHUNK, 1)), status(RAM, 0, 1024));
    }

    @Test
    void allocationLengthBoundsTheDescriptorsAndTruncates() {
        for (int chunk = 0; chunk < 64; chunk += 2) {
            write((long) chunk * CHUNK, 1);
        }
        // 24 bytes: one descriptor; 40: two
        assertEquals(List.of(new Descriptor(0, CHUNK, 0)), status(RAM, 0, 24));
        assertEquals(List.of(new Descriptor(0, CHUNK, 0), new Descriptor(CHUNK, CHUNK, 1)), status(RAM, 0, 40));
        // fewer bytes than one descriptor: the data is cut, PARAMETER DATA LENGTH still tells the whole
        byte[] cut = getLbaStatus(RAM, 0, 10).assertGood().data();
        assertEquals(10, cut.length);
        assertEquals(20, Cdb.u32(cut, 0));
        // zero is no error and moves nothing
        assertEquals(0, getLbaStatus(RAM, 0, 0).assertGood().data().length);
        // the largest length gets every extent there is: chunks 0-62 alternate, 63 and the partial 64 are one
        assertEquals(64, status(RAM, 0, 0xFFFF_FFFFL).size());
    }

    @Test
    void aHugeAllocationLengthGetsAtMostMaxDescriptors() throws Exception {
        int chunks = GetLbaStatusCommand.MAX_DESCRIPTORS + 10;
        try (TargetHarness big = new TargetHarness(64, new Backend[] {
                new RamBackend(disk("big", (long) chunks * 16, 4096, false).reportingAllocation())})) {
            for (int chunk = 0; chunk < chunks; chunk += 2) { // 16 blocks of 4096 bytes per chunk
                big.run(A, 0, write10(chunk * 16L, 1), 4096, new byte[4096]).assertGood();
            }
            byte[] d = big.run(A, 0, getLbaStatusCdb(0, 0xFFFF_FFFFL), 1 << 20, null).assertGood().data();
            assertEquals(8 + 16 * GetLbaStatusCommand.MAX_DESCRIPTORS, d.length);
            assertEquals(4 + 16 * GetLbaStatusCommand.MAX_DESCRIPTORS, Cdb.u32(d, 0));
            List<Descriptor> all = parse(d);
            for (int i = 0; i < all.size(); i++) {
                assertEquals(new Descriptor(i * 16L, 16, i % 2), all.get(i));
            }
        }
    }

    @Test
    void startingLbaAtOrPastTheEndIsOutOfRange() {
        getLbaStatus(RAM, BLOCKS - 1, 24).assertGood();
        getLbaStatus(RAM, BLOCKS, 24).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        getLbaStatus(RAM, BLOCKS + 1, 24).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        getLbaStatus(RAM, Long.MIN_VALUE, 24).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        getLbaStatus(RAM, -1, 24).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
        getLbaStatus(RAM, BLOCKS, 0).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
    }

    @Test
    void aUnitThatCannotTellReportsMappedOrUnknownToItsEnd() {
        assertEquals(List.of(new Descriptor(10, 990, 0)), status(PLAIN, 10, 1024));
        getLbaStatus(PLAIN, 1000, 24).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
    }

    @Test
    void reportTypeAndOtherReservedBitsAreRefused() {
        byte[] c = getLbaStatusCdb(0, 24);
        c[14] = 0x01; // SBC-4 REPORT TYPE: only "all LBAs" (0) is answered
        h.run(A, RAM, c, 24, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void reportSupportedOperationCodesListsIt() {
        byte[] d = h.run(0xA3, 0x0C, 0x02, 0x9E, 0x00, 0x12, 0, 0, 1, 0, 0, 0).assertGood().data();
        assertEquals(0x03, d[1] & 0x07, "SUPPORT: supported as the standard says");
        assertEquals(16, Cdb.u16(d, 2));
        assertEquals(0x9E, d[4] & 0xFF);
        assertEquals(0x12, d[5] & 0xFF);
    }

    // ---- helpers ----

    private void write(long lba, int blocks) {
        h.run(A, RAM, write10(lba, blocks), blocks * 512, new byte[blocks * 512]).assertGood();
    }

    private void unmap(long lba, int blocks) {
        byte[] list = new byte[24];
        Cdb.put16(list, 0, 22);
        Cdb.put16(list, 2, 16);
        Cdb.put64(list, 8, lba);
        Cdb.put32(list, 16, blocks);
        h.run(A, RAM, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), list.length, list).assertGood();
    }

    static byte[] getLbaStatusCdb(long lba, long allocationLength) {
        byte[] c = cdb(0x9E, 0x12);
        Cdb.put64(c, 2, lba);
        Cdb.put32(c, 10, allocationLength);
        return c;
    }

    private TargetHarness.Response getLbaStatus(int lun, long lba, long allocationLength) {
        return h.run(A, lun, getLbaStatusCdb(lba, allocationLength), (int) Math.min(allocationLength, 1 << 20), null);
    }

    private List<Descriptor> status(int lun, long lba, long allocationLength) {
        return parse(getLbaStatus(lun, lba, allocationLength).assertGood().data());
    }

    /** The descriptors, after checking that they follow one another from the first without gaps. */
    private static List<Descriptor> parse(byte[] d) {
        List<Descriptor> out = new ArrayList<>();
        for (int at = 8; at + 16 <= d.length; at += 16) {
            Descriptor x = new Descriptor(Cdb.u64(d, at), Cdb.u32(d, at + 8), d[at + 12] & 0x0F);
            if (!out.isEmpty()) {
                Descriptor last = out.get(out.size() - 1);
                assertEquals(last.lba() + last.blocks(), x.lba(), "descriptors follow one another");
            }
            out.add(x);
        }
        return out;
    }
}
