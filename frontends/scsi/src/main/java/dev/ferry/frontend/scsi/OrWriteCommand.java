package dev.ferry.frontend.scsi;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;

/**
 * SBC-3 5.8 ORWRITE(16) (8Bh): byte 1 ORPROTECT(7-5) DPO(4) FUA(3) FUA_NV(1) | bytes 2-9 LBA | bytes 10-13 TRANSFER
 * LENGTH | byte 14 GROUP NUMBER. Each block becomes the bitwise OR of its current content and the Data-Out, as an
 * uninterrupted read-modify-write.
 *
 * <p>The core has no OR operation, so the atomicity comes from its COMPARE AND WRITE: read the blocks, compute the
 * OR, then compare-and-write (what was read, the result). If another command changed the blocks in between, the
 * compare fails, nothing is written, and the cycle starts again from a fresh read (optimistic concurrency, as a
 * load-linked/store-conditional loop); after {@link #ATTEMPTS} lost races the command ends in BUSY (SAM-5 5.3.1) for
 * the initiator to retry. One COMPARE AND WRITE must cover the whole transfer for it to be one uninterrupted
 * action, so the TRANSFER LENGTH is limited like COMPARE AND WRITE's by what the backend takes in one request
 * (twice the data): longer is INVALID FIELD IN CDB. ORPROTECT is outside the usage mask (no protection
 * information). A Data-Out length other than the transfer's is INVALID FIELD IN COMMAND INFORMATION UNIT.
 */
final class OrWriteCommand {
    /** Read-OR-compare-and-write cycles before giving up on a range other commands keep changing. */
    static final int ATTEMPTS = 8;

    private OrWriteCommand() {
    }

    static void orWrite16(ScsiCommand c) {
        LunContext lu = c.lu;
        long lba = Cdb.u64(c.cdb, 2);
        long blocks = Cdb.u32(c.cdb, 10);
        int bs = lu.blockSize();
        c.transferLength(blocks * bs);
        ReadWriteCommands.checkRange(lu, lba, blocks);
        if (blocks == 0) {
            c.good();
            return;
        }
        if (blocks > maxBlocks(lu)) {
            throw CheckCondition.invalidFieldInCdb(10, -1);
        }
        if (c.expected() != blocks * bs) {
            throw new CheckCondition(SenseData.invalidFieldInCommandIu());
        }
        boolean fua = (c.cdb[1] & ReadWriteCommands.FUA) != 0;
        attempt(c, lba, (int) blocks, c.dataOut(blocks * bs), fua, ATTEMPTS);
    }

    /** The longest ORWRITE that one COMPARE AND WRITE request can carry, and the backend compares atomically. */
    static int maxBlocks(LunContext lu) {
        return Math.min(lu.descriptor.maxCompareAndWriteBlocks(), Math.max(1, lu.limits.pieceBlocks() / 2));
    }

    /** One read-OR-compare-and-write cycle; {@code mask} (the Data-Out) is owned and released at the end. */
    private static void attempt(ScsiCommand c, long lba, int blocks, ByteBuf mask, boolean fua, int attemptsLeft) {
        LunContext lu = c.lu;
        int bytes = blocks * lu.blockSize();
        ByteBuf read = IoBuffers.allocate(bytes);
        BlockRequest r = BlockIo.acquire(c, read);
        if (r == null) {
            mask.release();
            return;
        }
        r.set(BlockOp.READ, lba, blocks, read, BlockIo.then(c, req -> {
            ByteBuf current = req.takeData();
            req.release();
            compareAndWrite(c, lba, blocks, current, mask, fua, attemptsLeft);
        }, mask::release), null);
        BlockIo.submit(c, r);
    }

    private static void compareAndWrite(ScsiCommand c, long lba, int blocks, ByteBuf current, ByteBuf mask,
                                        boolean fua, int attemptsLeft) {
        int bytes = current.readableBytes();
        ByteBuf both = IoBuffers.allocate(2 * bytes);
        both.writeBytes(current, current.readerIndex(), bytes);
        for (int i = 0; i < bytes; i++) {
            both.writeByte(current.getByte(current.readerIndex() + i) | mask.getByte(mask.readerIndex() + i));
        }
        current.release();
        BlockRequest r = BlockIo.acquire(c, both);
        if (r == null) {
            mask.release();
            return;
        }
        r.set(BlockOp.COMPARE_AND_WRITE, lba, blocks, both, new BlockIo.Completion(c) {
            @Override
            void deliver(BlockRequest req) {
                if (req.status() == CompletionStatus.MISCOMPARE && !c.task.aborted()) {
                    req.release(); // another command wrote the blocks since they were read
                    if (attemptsLeft > 1) {
                        attempt(c, lba, blocks, mask, fua, attemptsLeft - 1);
                    } else {
                        mask.release();
                        c.status(ScsiResponse.BUSY);
                    }
                    return;
                }
                super.deliver(req);
            }

            @Override
            void good(BlockRequest req) {
                req.release();
                mask.release();
                c.good();
            }

            @Override
            void failed() {
                mask.release();
            }
        }, null).fua(fua);
        BlockIo.submit(c, r);
    }
}
