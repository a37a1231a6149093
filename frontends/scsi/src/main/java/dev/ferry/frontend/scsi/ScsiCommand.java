package dev.ferry.frontend.scsi;

import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * One command in execution: the task, where it is addressed, and the single exit through which it completes.
 *
 * <p>Residuals (SAM-5 5.4.3, RFC 7143 11.4.5.2): the command records the number of bytes its CDB asks to move
 * ({@link #transferLength}, SCSI "SPDTL"); the residual is the initiator's Expected Data Transfer Length minus
 * that, positive for underflow and negative for overflow. Data-In beyond the expected length is cut off.
 */
final class ScsiCommand {
    final ScsiTarget target;
    final ScsiTask task;
    final byte[] cdb;
    final CompletionQueue queue;
    final ItNexus nexus;
    /** The addressed unit, or null for a well-known or non-existent logical unit. */
    final LunContext lu;
    /** The decoded LUN ({@link Luns#decode}). */
    final long lun;

    private long transferLength;
    private boolean done;

    ScsiCommand(ScsiTarget target, ScsiTask task, CompletionQueue queue, LunContext lu, long lun) {
        this.target = target;
        this.task = task;
        this.cdb = task.cdb();
        this.queue = queue;
        this.nexus = task.nexus();
        this.lu = lu;
        this.lun = lun;
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
        complete(ScsiResponse.CHECK_CONDITION, sense.encode(), null);
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
            task.complete(new ScsiResponse(ScsiResponse.TASK_ABORTED, null, null, 0));
            return;
        }
        task.complete(new ScsiResponse(status, sense, data, residual()));
    }
}
