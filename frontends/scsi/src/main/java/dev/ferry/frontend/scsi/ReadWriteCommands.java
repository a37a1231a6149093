package dev.ferry.frontend.scsi;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import io.netty.buffer.ByteBuf;

/**
 * The SBC-3 medium access commands: READ and WRITE (6/10/12/16), WRITE AND VERIFY and VERIFY (10/12/16),
 * SYNCHRONIZE CACHE and PRE-FETCH (10/16), COMPARE AND WRITE.
 *
 * <pre>
 * 6-byte:  byte 1 bits 4-0 + bytes 2-3 LBA (21 bits) | byte 4 TRANSFER LENGTH (0 = 256 blocks)
 * 10-byte: byte 1 flags | bytes 2-5 LBA | byte 6 GROUP NUMBER | bytes 7-8 length
 * 12-byte: byte 1 flags | bytes 2-5 LBA | bytes 6-9 length | byte 10 GROUP NUMBER
 * 16-byte: byte 1 flags | bytes 2-9 LBA | bytes 10-13 length | byte 14 GROUP NUMBER
 * byte 1 of READ/WRITE: RDPROTECT/WRPROTECT(7-5) DPO(4) FUA(3) RARC(2) FUA_NV(1)
 * </pre>
 * Checks in SBC-3 order: LBA range first (also for zero blocks, so a zero-length command beyond the end is LBA OUT
 * OF RANGE), then zero length = nothing to do, GOOD, then MAXIMUM TRANSFER LENGTH (INVALID FIELD IN CDB). The
 * xxPROTECT fields are outside the CDB usage masks ({@link CommandSet}): without protection information a
 * non-zero value is INVALID FIELD IN CDB.
 */
final class ReadWriteCommands {
    static final int FUA = 0x08;

    private ReadWriteCommands() {
    }

    // ---- decoding per CDB size ----

    static void read6(ScsiCommand c) {
        int n = Cdb.u8(c.cdb, 4);
        read(c, Cdb.u24(c.cdb, 1) & 0x1F_FFFF, n == 0 ? 256 : n, false, 4);
    }

    static void read10(ScsiCommand c) {
        read(c, Cdb.u32(c.cdb, 2), Cdb.u16(c.cdb, 7), fua(c), 7);
    }

    static void read12(ScsiCommand c) {
        read(c, Cdb.u32(c.cdb, 2), Cdb.u32(c.cdb, 6), fua(c), 6);
    }

    static void read16(ScsiCommand c) {
        read(c, Cdb.u64(c.cdb, 2), Cdb.u32(c.cdb, 10), fua(c), 10);
    }

    static void write6(ScsiCommand c) {
        int n = Cdb.u8(c.cdb, 4);
        write(c, Cdb.u24(c.cdb, 1) & 0x1F_FFFF, n == 0 ? 256 : n, false, 4, false);
    }

    static void write10(ScsiCommand c) {
        write(c, Cdb.u32(c.cdb, 2), Cdb.u16(c.cdb, 7), fua(c), 7, false);
    }

    static void write12(ScsiCommand c) {
        write(c, Cdb.u32(c.cdb, 2), Cdb.u32(c.cdb, 6), fua(c), 6, false);
    }

    static void write16(ScsiCommand c) {
        write(c, Cdb.u64(c.cdb, 2), Cdb.u32(c.cdb, 10), fua(c), 10, false);
    }

    /** WRITE AND VERIFY (SBC-3 5.40-5.42): byte 1 WRPROTECT DPO(4) BYTCHK(1); the write is verified either way. */
    static void writeAndVerify10(ScsiCommand c) {
        write(c, Cdb.u32(c.cdb, 2), Cdb.u16(c.cdb, 7), false, 7, true);
    }

    static void writeAndVerify12(ScsiCommand c) {
        write(c, Cdb.u32(c.cdb, 2), Cdb.u32(c.cdb, 6), false, 6, true);
    }

    static void writeAndVerify16(ScsiCommand c) {
        write(c, Cdb.u64(c.cdb, 2), Cdb.u32(c.cdb, 10), false, 10, true);
    }

    /** VERIFY (SBC-3 5.33-5.35): byte 1 VRPROTECT DPO(4) BYTCHK(2-1); VERIFICATION LENGTH. */
    static void verify10(ScsiCommand c) {
        verify(c, Cdb.u32(c.cdb, 2), Cdb.u16(c.cdb, 7), 7);
    }

    static void verify12(ScsiCommand c) {
        verify(c, Cdb.u32(c.cdb, 2), Cdb.u32(c.cdb, 6), 6);
    }

    static void verify16(ScsiCommand c) {
        verify(c, Cdb.u64(c.cdb, 2), Cdb.u32(c.cdb, 10), 10);
    }

    /** SYNCHRONIZE CACHE (SBC-3 5.22/5.23): byte 1 SYNC_NV IMMED(1); NUMBER OF LOGICAL BLOCKS 0 = to the end. */
    static void synchronizeCache10(ScsiCommand c) {
        synchronizeCache(c, Cdb.u32(c.cdb, 2), Cdb.u16(c.cdb, 7));
    }

    static void synchronizeCache16(ScsiCommand c) {
        synchronizeCache(c, Cdb.u64(c.cdb, 2), Cdb.u32(c.cdb, 10));
    }

    /** PRE-FETCH (SBC-3 5.9/5.10): byte 1 IMMED(1); PREFETCH LENGTH 0 = to the end of the medium. */
    static void prefetch10(ScsiCommand c) {
        prefetch(c, Cdb.u32(c.cdb, 2), Cdb.u16(c.cdb, 7));
    }

    static void prefetch16(ScsiCommand c) {
        prefetch(c, Cdb.u64(c.cdb, 2), Cdb.u32(c.cdb, 10));
    }

    private static boolean fua(ScsiCommand c) {
        return (c.cdb[1] & FUA) != 0;
    }

    // ---- shared checks ----

    /** SBC-3 4.5: LBA + blocks beyond the capacity is LOGICAL BLOCK ADDRESS OUT OF RANGE (2^63 and up included). */
    static void checkRange(LunContext lu, long lba, long blocks) {
        if (lba < 0 || blocks < 0 || lba > lu.capacity() - blocks) {
            throw CheckCondition.lbaOutOfRange();
        }
    }

    /** SBC-3 6.5.3: a transfer longer than MAXIMUM TRANSFER LENGTH is INVALID FIELD IN CDB at the length field. */
    static void checkTransfer(LunContext lu, long blocks, int lengthByte) {
        if (blocks > lu.limits.maxTransferBlocks()) {
            throw CheckCondition.invalidFieldInCdb(lengthByte, -1);
        }
    }

    // ---- execution ----

    static void read(ScsiCommand c, long lba, long blocks, boolean fua, int lengthByte) {
        LunContext lu = c.lu;
        c.transferLength(blocks * lu.blockSize());
        checkRange(lu, lba, blocks);
        if (blocks == 0) {
            c.good();
            return;
        }
        checkTransfer(lu, blocks, lengthByte);
        int bytes = (int) blocks * lu.blockSize();
        c.io.run(BlockOp.READ, lba, (int) blocks, IoBuffers.allocate(bytes), fua, SplitIo.Then.DATA_IN);
    }

    /**
     * An Expected Data Transfer Length shorter than the CDB's transfer (overflow) writes the whole blocks the
     * initiator sent and completes GOOD with the shortfall as residual overflow: RFC 7143 11.4.5.2 defines that
     * residual as the bytes "not transferred because the initiator's Expected Data Transfer Length was not
     * sufficient", i.e. the command ran on what was sent (FCP-4 overflow handling, option a). libiscsi's
     * iSCSIResiduals Write* tests expect exactly that, down to an EDTL of 0 (nothing written). A partial block
     * cannot be written and is refused with INVALID FIELD IN COMMAND INFORMATION UNIT (accepted there too).
     */
    static void write(ScsiCommand c, long lba, long blocks, boolean fua, int lengthByte, boolean verify) {
        LunContext lu = c.lu;
        int bs = lu.blockSize();
        c.transferLength(blocks * bs);
        checkRange(lu, lba, blocks);
        if (blocks == 0) {
            c.good();
            return;
        }
        checkTransfer(lu, blocks, lengthByte);
        long sent = c.expected();
        if (sent < blocks * bs && sent % bs != 0) {
            throw new CheckCondition(SenseData.invalidFieldInCommandIu());
        }
        int n = (int) Math.min(blocks, sent / bs);
        if (n == 0) {
            c.good();
            return;
        }
        c.io.run(BlockOp.WRITE, lba, n, c.dataOut((long) n * bs), fua || verify,
                verify ? SplitIo.Then.VERIFY : SplitIo.Then.GOOD);
    }

    /**
     * BYTCHK 00b: medium verification only; 01b: compare with VERIFICATION LENGTH blocks of Data-Out; 11b: compare
     * every block with the single block of Data-Out (SBC-3 5.33); 10b is reserved.
     */
    static void verify(ScsiCommand c, long lba, long blocks, int lengthByte) {
        LunContext lu = c.lu;
        int bytchk = (c.cdb[1] >>> 1) & 0x03;
        int bs = lu.blockSize();
        switch (bytchk) {
            case 0b00 -> c.transferLength(0);
            case 0b01 -> c.transferLength(blocks * bs);
            case 0b11 -> c.transferLength(blocks == 0 ? 0 : bs);
            default -> throw CheckCondition.invalidFieldInCdb(1, 2);
        }
        checkRange(lu, lba, blocks);
        if (blocks == 0) {
            c.good();
            return;
        }
        checkTransfer(lu, blocks, lengthByte);
        ByteBuf data = null;
        if (bytchk == 0b01) {
            data = c.dataOut(blocks * bs);
        } else if (bytchk == 0b11) {
            ByteBuf one = c.dataOut(bs);
            try {
                data = repeat(one, (int) blocks);
            } finally {
                one.release();
            }
        }
        c.io.run(BlockOp.VERIFY, lba, (int) blocks, data, false, SplitIo.Then.GOOD);
    }

    /** A new buffer holding {@code block} {@code times} times over. */
    static ByteBuf repeat(ByteBuf block, int times) {
        int bs = block.readableBytes();
        ByteBuf out = IoBuffers.allocate(bs * times);
        for (int i = 0; i < times; i++) {
            out.writeBytes(block, block.readerIndex(), bs);
        }
        return out;
    }

    static void synchronizeCache(ScsiCommand c, long lba, long blocks) {
        checkRange(c.lu, lba, blocks);
        BlockRequest r = BlockIo.acquire(c, null);
        if (r == null) {
            return;
        }
        r.set(BlockOp.FLUSH, lba, (int) Math.min(blocks, Integer.MAX_VALUE), null, c.goodWhenDone, null);
        BlockIo.submit(c, r);
    }

    /**
     * The core's PREFETCH is a hint whose effect on the cache is not reported back, so completion is GOOD, never
     * CONDITION MET: SBC-3 5.9 reserves CONDITION MET for blocks known to be in the cache and answers GOOD when
     * they may not all fit. The advertised MAXIMUM PREFETCH LENGTH is 0 (no limit).
     */
    static void prefetch(ScsiCommand c, long lba, long blocks) {
        LunContext lu = c.lu;
        checkRange(lu, lba, blocks);
        long n = blocks == 0 ? lu.capacity() - lba : blocks;
        if (n == 0) {
            c.good();
            return;
        }
        BlockRequest r = BlockIo.acquire(c, null);
        if (r == null) {
            return;
        }
        r.set(BlockOp.PREFETCH, lba, (int) Math.min(n, Integer.MAX_VALUE), null, c.goodWhenDone, null);
        BlockIo.submit(c, r);
    }

    /**
     * SBC-3 5.3 COMPARE AND WRITE (89h): byte 1 WRPROTECT DPO FUA FUA_NV | bytes 2-9 LBA | byte 13 NUMBER OF
     * LOGICAL BLOCKS. Data-Out is twice that: the verify data, then the write data. A miscompare is MISCOMPARE
     * 1Dh/00h with INFORMATION = offset of the first differing byte. Unlike a WRITE, an Expected Data Transfer Length
     * other than exactly twice the blocks is refused as INVALID FIELD IN CDB at NUMBER OF LOGICAL BLOCKS (as LIO's
     * target_cmd_size_check did for every write CDB): with any other amount of Data-Out the split between verify and
     * write data would be guesswork. That includes zero blocks (otherwise not an error) sent with Data-Out, which is
     * what libiscsi's CompareAndWrite.Simple sends when it asks for 256 blocks in the one-byte field.
     */
    static void compareAndWrite(ScsiCommand c) {
        LunContext lu = c.lu;
        long lba = Cdb.u64(c.cdb, 2);
        int blocks = Cdb.u8(c.cdb, 13);
        long bytes = (long) blocks * lu.blockSize();
        c.transferLength(2 * bytes);
        checkRange(lu, lba, blocks);
        if (blocks > lu.limits.maxCompareAndWriteBlocks() || c.expected() != 2 * bytes) {
            throw CheckCondition.invalidFieldInCdb(13, -1);
        }
        if (blocks == 0) {
            c.good();
            return;
        }
        ByteBuf data = c.dataOut(2 * bytes);
        BlockRequest r = BlockIo.acquire(c, data);
        if (r == null) {
            return;
        }
        r.set(BlockOp.COMPARE_AND_WRITE, lba, blocks, data, c.goodWhenDone, null).fua(fua(c));
        BlockIo.submit(c, r);
    }
}
