package dev.ferry.frontend.scsi;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import io.netty.buffer.ByteBuf;

/**
 * SBC-3 5.44/5.45 WRITE SAME(10)/(16).
 *
 * <pre>
 * WRITE SAME(10): byte 1 WRPROTECT(7-5) ANCHOR(4) UNMAP(3) | bytes 2-5 LBA | byte 6 GROUP | bytes 7-8 NUMBER OF LBs
 * WRITE SAME(16): byte 1 WRPROTECT(7-5) ANCHOR(4) UNMAP(3) NDOB(0) | bytes 2-9 LBA | bytes 10-13 NUMBER OF LBs
 * </pre>
 * ANCHOR, WRPROTECT and the obsolete PBDATA/LBDATA bits are outside the usage masks: INVALID FIELD IN CDB. An
 * Expected Data Transfer Length other than one block is INVALID FIELD IN COMMAND INFORMATION UNIT, as LIO.
 *
 * <p>NUMBER OF LOGICAL BLOCKS 0 ("to the end of the medium") is refused with INVALID FIELD IN CDB: the Block
 * Limits page sets WSNZ=1 (as LIO), so a stray zero never overwrites a whole disk. UNMAP on a unit that cannot
 * deallocate (LBPWS/LBPWS10 clear) is INVALID FIELD IN CDB (the bit is outside that unit's usage mask, see
 * {@link CommandSet}), so that the bit's availability matches the VPD page (what libiscsi's writesame*_unmap_vpd
 * tests check; LIO refuses it too). A zero pattern (or NDOB) with
 * UNMAP becomes a deallocating WRITE_ZEROES where unmapped blocks read back as zero (LBPRZ), a zero pattern
 * without UNMAP a plain WRITE_ZEROES; any other pattern is replicated into a buffer and written in chunks of at
 * most the backend's largest request, one after the other.
 */
final class WriteSameCommand {
    static final int UNMAP = 0x08;
    static final int NDOB = 0x01;
    /** Pattern chunks are at most this large (or one block). */
    static final int CHUNK_BYTES = 1 << 20;

    private WriteSameCommand() {
    }

    static void writeSame10(ScsiCommand c) {
        writeSame(c, Cdb.u32(c.cdb, 2), Cdb.u16(c.cdb, 7), (c.cdb[1] & UNMAP) != 0, false, 7);
    }

    static void writeSame16(ScsiCommand c) {
        writeSame(c, Cdb.u64(c.cdb, 2), Cdb.u32(c.cdb, 10), (c.cdb[1] & UNMAP) != 0, (c.cdb[1] & NDOB) != 0, 10);
    }

    static void writeSame(ScsiCommand c, long lba, long blocks, boolean unmap, boolean ndob, int lengthByte) {
        LunContext lu = c.lu;
        int bs = lu.blockSize();
        c.transferLength(ndob ? 0 : bs);
        ReadWriteCommands.checkRange(lu, lba, blocks); // first: zero blocks beyond the end is still out of range
        if (blocks == 0) {
            throw CheckCondition.invalidFieldInCdb(lengthByte, -1); // WSNZ=1
        }
        if (blocks > lu.limits.maxWriteSameBlocks()) {
            throw CheckCondition.invalidFieldInCdb(lengthByte, -1);
        }
        if (!ndob && c.expected() != bs) {
            // the pattern is exactly one block (SBC-3 5.44): more or less Data-Out is no pattern at all
            throw new CheckCondition(SenseData.invalidFieldInCommandIu());
        }
        ByteBuf pattern = ndob ? null : c.dataOut(bs);
        boolean zero = pattern == null || isZero(pattern);
        var d = lu.descriptor;
        if (zero && ((unmap && d.discard() && d.discardZeroes()) || d.writeZeroes())) {
            if (pattern != null) {
                pattern.release();
            }
            BlockRequest r = BlockIo.acquire(c, null);
            if (r == null) {
                return;
            }
            boolean deallocate = unmap && d.discard() && d.discardZeroes();
            if (d.writeZeroes()) {
                r.set(BlockOp.WRITE_ZEROES, lba, (int) blocks, null, c.goodWhenDone, null)
                        .deallocate(deallocate);
            } else {
                r.set(BlockOp.UNMAP, 0, 0, null, c.goodWhenDone, null).addRange(lba, (int) blocks);
            }
            BlockIo.submit(c, r);
            return;
        }
        int chunkBlocks = (int) Math.min(blocks,
                Math.max(1, Math.min(lu.limits.pieceBlocks(), CHUNK_BYTES / bs)));
        ByteBuf chunk;
        if (pattern == null) {
            chunk = IoBuffers.allocate(chunkBlocks * bs).writeZero(chunkBlocks * bs);
        } else {
            try {
                chunk = ReadWriteCommands.repeat(pattern, chunkBlocks);
            } finally {
                pattern.release();
            }
        }
        writeChunk(c, lba, (int) blocks, chunk, chunkBlocks);
    }

    /** Writes the next chunk of the pattern; continues from its completion until {@code remaining} is done. */
    private static void writeChunk(ScsiCommand c, long lba, int remaining, ByteBuf chunk, int chunkBlocks) {
        int n = Math.min(remaining, chunkBlocks);
        BlockRequest r = c.queue.acquire();
        if (r == null) {
            chunk.release();
            c.status(ScsiResponse.TASK_SET_FULL);
            return;
        }
        ByteBuf slice = chunk.retainedSlice(0, n * c.lu.blockSize());
        r.set(BlockOp.WRITE, lba, n, slice, BlockIo.then(c, req -> {
            req.release();
            if (remaining > n) {
                writeChunk(c, lba + n, remaining - n, chunk, chunkBlocks);
            } else {
                chunk.release();
                c.good();
            }
        }, chunk::release), null);
        BlockIo.submit(c, r);
    }

    static boolean isZero(ByteBuf b) {
        int end = b.writerIndex();
        int i = b.readerIndex();
        for (; i + 8 <= end; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (b.getByte(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
