package dev.ferry.frontend.scsi;

import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command in execution: the task, where it is addressed, and the single exit through which it completes.
 *
 * <p>Residuals (SAM-5 5.4.3, RFC 7143 11.4.5.2): the command records the number of bytes its CDB asks to move
 * ({@link #transferLength}, SCSI "SPDTL"); the residual is the initiator's Expected Data Transfer Length minus
 * that, positive for underflow and negative for overflow. Data-In beyond the expected length is cut off.
 *
 * <p>Commands are pooled per event loop thread ({@link ScsiCommandPool}), with their response and transfer state.
 * Code touches a command only inside a frame that runs it: {@link ScsiTarget#execute}, the completion of one of
 * its block requests ({@link BlockIo.Completion}) or the answer to its reservation change ({@link PrOutCommand}),
 * each on the command's loop. Each frame and each submitted request or change holds the command; when the
 * last hold ends it has answered its task and goes back to the pool, so a command returns there exactly once, after
 * its response was handed over, and nothing can reach it afterwards.
 */
final class ScsiCommand {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiCommand.class);
    /** What {@link #response} holds outside {@link ScsiTask#complete}: no SAM-5 status byte. */
    private static final int NO_STATUS = -1;

    ScsiTarget target;
    ScsiTask task;
    /** The task's CDB, read in place. */
    byte[] cdb;
    CompletionQueue queue;
    ItNexus nexus;
    /** What the nexus sees and who it is for reservations, as this target derived it once. */
    NexusView view;
    /** The addressed unit, or null for a well-known or non-existent logical unit. */
    LunContext lu;
    /** The decoded LUN ({@link Luns#decode}). */
    long lun;
    /** The READ, WRITE and VERIFY transfers of this command, piece by piece; reused with the command. */
    final SplitIo io = new SplitIo(this);
    /** The completion of a request after which the command is GOOD (FLUSH, PREFETCH, ...); reused with it. */
    final BlockIo.Completion goodWhenDone = new BlockIo.GoodWhenDone(this);

    private final ScsiResponse response = new ScsiResponse(NO_STATUS, null, null, 0);
    private long transferLength;
    private boolean done;
    /** Frames running the command plus block requests in flight for it; back to the pool at zero. */
    private int holds;
    private boolean idle;

    /** Only {@link ScsiCommandPool} makes commands. */
    ScsiCommand() {
    }

    /** A command from this thread's pool for {@code task}, held by the caller's frame ({@link #release}). */
    static ScsiCommand start(ScsiTarget target, ScsiTask task, CompletionQueue queue, NexusView view, LunContext lu,
                             long lun) {
        ScsiCommand c = ScsiCommandPool.take();
        c.target = target;
        c.task = task;
        c.cdb = task.cdb();
        c.queue = queue;
        c.nexus = task.nexus();
        c.view = view;
        c.lu = lu;
        c.lun = lun;
        c.transferLength = 0;
        c.done = false;
        c.idle = false;
        c.holds = 1;
        return c;
    }

    /**
     * A block request (or reservation change) of this command is being submitted: its completion will run the
     * command once more.
     */
    void hold() {
        live();
        holds++;
    }

    /**
     * The frame that ran the command ended. After the last one the command has answered (a handler that returned
     * without answering or submitting would leave its task hanging: it gets INTERNAL TARGET FAILURE) and goes back
     * to the pool.
     */
    void release() {
        live();
        if (--holds > 0) {
            return;
        }
        if (!done) {
            LOG.error("SCSI command {} ended without an answer", ScsiTarget.hex(cdb));
            checkCondition(SenseData.internalTargetFailure());
        }
        int bound = queue.capacity();
        target = null;
        task = null;
        cdb = null;
        queue = null;
        nexus = null;
        view = null;
        lu = null;
        idle = true;
        ScsiCommandPool.give(this, bound);
    }

    private void live() {
        if (idle) {
            throw new IllegalStateException("SCSI command used after it went back to the pool");
        }
    }

    int expected() {
        return Math.max(0, task.expectedTransferLength());
    }

    /** Records how many bytes the CDB asks to transfer (either direction). */
    void transferLength(long bytes) {
        this.transferLength = bytes;
    }

    long transferLength() {
        return transferLength;
    }

    boolean done() {
        return done;
    }

    private int residual() {
        long r = (long) expected() - transferLength;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, r));
    }

    /**
     * The first {@code bytes} of Data-Out as a retained slice the caller owns (release it, or let
     * {@link dev.ferry.core.request.BlockRequest#release()} do so). Fails with INVALID FIELD IN COMMAND INFORMATION
     * UNIT when the initiator's expected length is shorter than {@code bytes} (overflow) or the Data-Out did not
     * all arrive: nothing is written from a partial buffer (FCP-4 overflow handling, option b; as LIO's
     * target_cmd_size_check). WRITE asks only for the whole blocks sent ({@link ReadWriteCommands#write}).
     */
    ByteBuf dataOut(long bytes) {
        ByteBuf d = task.dataOut();
        if (expected() < bytes || d == null || d.readableBytes() < bytes) {
            throw new CheckCondition(SenseData.invalidFieldInCommandIu());
        }
        return d.retainedSlice(d.readerIndex(), (int) bytes);
    }

    /** The parameter list of a control command (MODE SELECT, UNMAP): at most {@code length} bytes of Data-Out. */
    byte[] parameterList(int length, int lengthFieldByte) {
        transferLength(length);
        ByteBuf d = task.dataOut();
        if (length > expected() || (length > 0 && (d == null || d.readableBytes() < length))) {
            // LIO rejects a control CDB whose parameter list is longer than what the initiator sends
            throw CheckCondition.invalidFieldInCdb(lengthFieldByte, -1);
        }
        byte[] p = new byte[length];
        if (length > 0) {
            d.getBytes(d.readerIndex(), p);
        }
        return p;
    }

    // ---- completion ----

    void good() {
        complete(ScsiResponse.GOOD, null, null);
    }

    /** Ends with a status that carries no sense data (BUSY, RESERVATION CONFLICT, TASK SET FULL, ...). */
    void status(int status) {
        complete(status, null, null);
    }

    void checkCondition(SenseData sense) {
        checkCondition(sense.encode());
    }

    /** CHECK CONDITION with sense data already rendered (EXTENDED COPY's carries the copy target's sense too). */
    void checkCondition(byte[] sense) {
        complete(ScsiResponse.CHECK_CONDITION, sense, null);
    }

    /**
     * GOOD with parameter data built in memory: the first {@code length} bytes of {@code data} (the command's
     * allocation length already applied by the caller).
     */
    void dataIn(byte[] data, int length) {
        int n = Math.min(length, data.length);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(n, 1));
        buf.writeBytes(data, 0, n);
        dataIn(buf);
    }

    /** GOOD with Data-In; ownership of {@code buf} passes on. Its readable bytes are what the command returns. */
    void dataIn(ByteBuf buf) {
        transferLength(buf.readableBytes());
        int expected = expected();
        if (buf.readableBytes() > expected) {
            buf.writerIndex(buf.readerIndex() + expected);
        }
        if (!buf.isReadable()) {
            buf.release();
            buf = null;
        }
        complete(ScsiResponse.GOOD, null, buf);
    }

    private void complete(int status, byte[] sense, ByteBuf data) {
        live();
        if (done) {
            if (data != null) {
                data.release();
            }
            return;
        }
        done = true;
        if (task.aborted()) {
            if (data != null) {
                data.release();
            }
            task.complete(response.set(ScsiResponse.TASK_ABORTED, null, null, 0));
        } else {
            task.complete(response.set(status, sense, data, residual()));
        }
        // valid only during complete(): a transport that kept it sees no status rather than a later command's
        response.set(NO_STATUS, null, null, 0);
    }
}
