package dev.ferry.frontend.scsi;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * One READ, WRITE or VERIFY of a command as consecutive core requests of at most {@link BlockLimits#pieceBlocks()}
 * blocks each, so that a unit can report a MAXIMUM TRANSFER LENGTH larger than its backend's largest request. The
 * pieces run one after the other; the first failure ends the command, and for a WRITE the pieces before it stay
 * written (SBC-3 4.18.1 leaves the medium content of a failed write unspecified). A miscompare is reported at its
 * offset in the whole transfer.
 */
final class SplitIo {
    private SplitIo() {
    }

    /**
     * @param data  READ: an empty buffer with room for every block; WRITE: the data; VERIFY: the data to compare
     *              with, or null for a medium check. Owned from here on: handed to {@code onGood}, or released on
     *              failure.
     * @param onGood receives {@code data} (a READ's filled in) once every piece succeeded, and finishes the command
     */
    static void run(ScsiCommand c, BlockOp op, long lba, int blocks, ByteBuf data, boolean fua,
                    Consumer<ByteBuf> onGood) {
        next(c, op, lba, blocks, 0, data, fua, onGood);
    }

    private static void next(ScsiCommand c, BlockOp op, long lba, int blocks, int done, ByteBuf data, boolean fua,
                             Consumer<ByteBuf> onGood) {
        LunContext lu = c.lu;
        int bs = lu.blockSize();
        int n = Math.min(blocks - done, lu.limits.pieceBlocks());
        BlockRequest r = BlockIo.acquire(c, data);
        if (r == null) {
            return;
        }
        ByteBuf piece = null;
        if (data != null) {
            piece = op == BlockOp.READ
                    ? data.retainedSlice(done * bs, n * bs).clear() // the backend appends at the writer index
                    : data.retainedSlice(data.readerIndex() + done * bs, n * bs);
        }
        Runnable releaseData = data == null ? null : data::release;
        r.set(op, lba + done, n, piece, BlockIo.then(c, req -> {
            req.release();
            if (done + n < blocks) {
                next(c, op, lba, blocks, done + n, data, fua, onGood);
                return;
            }
            if (op == BlockOp.READ) {
                data.writerIndex(blocks * bs);
            }
            onGood.accept(data);
        }, releaseData, (long) done * bs), null).fua(fua);
        lu.unit.submit(r);
    }
}
