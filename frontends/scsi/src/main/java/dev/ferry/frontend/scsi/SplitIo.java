package dev.ferry.frontend.scsi;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import io.netty.buffer.ByteBuf;

/**
 * One READ, WRITE or VERIFY of a command as consecutive core requests of at most {@link BlockLimits#pieceBlocks()}
 * blocks each, so that a unit can report a MAXIMUM TRANSFER LENGTH larger than its backend's largest request. The
 * pieces run one after the other; the first failure ends the command, and for a WRITE the pieces before it stay
 * written (SBC-3 4.18.1 leaves the medium content of a failed write unspecified). A miscompare is reported at its
 * offset in the whole transfer.
 *
 * <p>Each command owns one of these, reused with it: it is the completion of every piece, so a transfer allocates
 * no callback. A command runs one transfer at a time (WRITE AND VERIFY starts its VERIFY from the WRITE's last
 * completion).
 */
final class SplitIo extends BlockIo.Completion {
    /** How the command ends once every piece succeeded. */
    enum Then {
        /** GOOD with the data read as Data-In. */
        DATA_IN,
        /** GOOD. */
        GOOD,
        /** A VERIFY of the blocks just written against the same Data-Out (WRITE AND VERIFY), then GOOD. */
        VERIFY
    }

    private BlockOp op;
    private long lba;
    private int blocks;
    private int done;
    /** Blocks of the piece in flight. */
    private int piece;
    private ByteBuf data;
    private boolean fua;
    private Then then;

    SplitIo(ScsiCommand c) {
        super(c);
    }

    /**
     * @param data READ: an empty buffer with room for every block; WRITE: the data; VERIFY: the data to compare
     *             with, or null for a medium check. Owned from here on: released when the command ends.
     */
    void run(BlockOp op, long lba, int blocks, ByteBuf data, boolean fua, Then then) {
        this.op = op;
        this.lba = lba;
        this.blocks = blocks;
        this.done = 0;
        this.data = data;
        this.fua = fua;
        this.then = then;
        next();
    }

    private void next() {
        LunContext lu = c.lu;
        int bs = lu.blockSize();
        int n = Math.min(blocks - done, lu.limits.pieceBlocks());
        BlockRequest r = BlockIo.acquire(c, data);
        if (r == null) {
            data = null;
            return;
        }
        ByteBuf slice = null;
        if (data != null) {
            slice = op == BlockOp.READ
                    ? data.retainedSlice(done * bs, n * bs).clear() // the backend appends at the writer index
                    : data.retainedSlice(data.readerIndex() + done * bs, n * bs);
        }
        piece = n;
        r.set(op, lba + done, n, slice, this, null).fua(fua);
        BlockIo.submit(c, r);
    }

    @Override
    void good(BlockRequest r) {
        r.release();
        done += piece;
        if (done < blocks) {
            next();
            return;
        }
        ByteBuf d = data;
        data = null;
        switch (then) {
            case DATA_IN -> {
                d.writerIndex(blocks * c.lu.blockSize());
                c.dataIn(d);
            }
            case GOOD -> {
                if (d != null) {
                    d.release();
                }
                c.good();
            }
            case VERIFY -> {
                d.release();
                run(BlockOp.VERIFY, lba, blocks, c.dataOut((long) blocks * c.lu.blockSize()), false, Then.GOOD);
            }
        }
    }

    @Override
    void failed() {
        if (data != null) {
            data.release();
            data = null;
        }
    }

    @Override
    long byteOffset() {
        return (long) done * c.lu.blockSize();
    }
}
