package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.frontend.iscsi.pdu.DataOutPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the Data-Out of a connection's writes (RFC 7143 11.3, 11.7, 11.8, 13.10-13.17): immediate data,
 * unsolicited bursts and R2T-solicited ones, each checked against its sequence, into buffers allocated burst by
 * burst as the data is allowed to come. Writes hold buffers only within the connection's write-buffer budget; one
 * that does not fit waits for its R2Ts (or, with unsolicited data on its way, ends with TASK SET FULL).
 */
final class DataOutCollector {
    private static final Logger LOG = LoggerFactory.getLogger(DataOutCollector.class);
    /** SPC-4 fixed-format sense: current error, ABORTED COMMAND, DATA PHASE ERROR (4Bh/00h). */
    private static final byte[] DATA_PHASE_ERROR = dataPhaseError();

    private final IscsiConnection c;
    /** Solicited bytes reserved by admitted tasks, within ConnectionLimits.writeBufferBytes. */
    private long writeReserved;
    /** Writes whose solicited data does not fit the budget yet, oldest first: they get R2Ts once it does. */
    private final ArrayDeque<IscsiTask> awaitingBuffer = new ArrayDeque<>();
    /** The immediate data of the write being admitted, which may become its first buffer ({@link #chunk}). */
    private ByteBuf adoptable;
    /** The data slice {@link #landingFor} gave the decoder for the Data-Out being received. */
    private ByteBuf landed;

    DataOutCollector(IscsiConnection c) {
        this.c = c;
    }

    /** A write's command arrived with {@code immediate} data: admit it, store the data, run it once complete. */
    void begin(IscsiTask t, boolean finalBit, ByteBuf immediateData) {
        int immediate = immediateData.readableBytes();
        // Unsolicited Data-Out may follow up to FirstBurstLength unless F is set (11.3.1, 13.10, 13.14).
        t.unsolicitedEnd = finalBit || c.params.initialR2T ? immediate
                : Math.min(c.params.firstBurstLength, t.expectedLength);
        t.nextR2tOffset = Math.max(t.unsolicitedEnd, immediate);
        adoptable = immediate > 0 ? immediateData : null;
        try {
            if (awaitingBuffer.isEmpty() && fitsBudget(t)) {
                admit(t);
            } else if (t.unsolicitedEnd > 0) {
                // Data we did not ask for is here or on its way, and buffering it would pass the budget: push back
                // (SAM-5 5.3: the task set lacks the resources); its Data-Out is discarded, the initiator retries.
                c.tasks.remove(t);
                c.commands.sendStatus(t.itt, ScsiResponse.TASK_SET_FULL, 0);
                return;
            } else {
                awaitingBuffer.add(t); // no R2T, and so no data and no buffer, until the budget has room
            }
            if (immediate > 0) {
                chunk(t, 0, t.unsolicitedEnd);
            }
        } finally {
            adoptable = null;
        }
        if (immediate > 0) {
            if (t.chunks.at(0) != immediateData) { // else it became the buffer itself
                t.chunks.store(0, immediateData, immediate);
            }
            t.received = immediate;
            t.unsolicitedOffset = immediate;
        }
        if (t.received >= t.expectedLength) {
            c.commands.run(t);
        }
    }

    /**
     * Whether a write may take buffers: its whole length fits the connection's write-buffer budget beside the
     * writes admitted before, or no other write holds any (so one write of any accepted size proceeds). The bytes
     * a connection buffers for writes never exceed the larger of the budget and {@link CommandFlow#MAX_WRITE_TRANSFER}.
     */
    private boolean fitsBudget(IscsiTask t) {
        return writeReserved == 0
                || writeReserved + t.expectedLength <= c.services.connectionLimits().writeBufferBytes();
    }

    /** Reserves the write's length in the budget and solicits its data; buffers are allocated as data is allowed. */
    private void admit(IscsiTask t) {
        t.admitted = true;
        t.reserved = t.expectedLength;
        writeReserved += t.reserved;
        if ((long) t.expectedLength - t.nextR2tOffset
                <= (long) c.params.maxOutstandingR2T * c.params.maxBurstLength) {
            // The first round of R2Ts asks for all of it anyway: one contiguous buffer, which a block backend
            // writes in place (the chunks of a longer write reach it joined, through a bounce buffer).
            chunk(t, 0, t.expectedLength);
        }
        solicit(t);
    }

    /** Budget came free: the oldest waiting writes that now fit get their R2Ts. */
    private void admitWaiting() {
        boolean admitted = false;
        while (c.phase == IscsiConnection.Phase.FULL_FEATURE && !awaitingBuffer.isEmpty()
                && fitsBudget(awaitingBuffer.peek())) {
            admit(awaitingBuffer.poll());
            admitted = true;
        }
        if (admitted) {
            c.flushSoon();
        }
    }

    /**
     * Sends R2Ts while fewer than MaxOutstandingR2T are open, each for at most MaxBurstLength (11.8, 13.13, 13.17);
     * each R2T's buffer is allocated as it goes out.
     */
    private void solicit(IscsiTask t) {
        if (!t.admitted) {
            return;
        }
        while (t.r2tCount < c.params.maxOutstandingR2T && t.nextR2tOffset < t.expectedLength) {
            int len = Math.min(c.params.maxBurstLength, t.expectedLength - t.nextR2tOffset);
            sendR2t(t, t.nextR2tOffset, len);
            t.nextR2tOffset += len;
        }
    }

    private void sendR2t(IscsiTask t, int offset, int length) {
        int ttt = c.newTtt();
        chunk(t, offset, length);
        t.addR2t(ttt, offset, length);
        // An R2T carries the current StatSN without advancing it (11.8).
        c.encoder.writeR2t(c.ctx, t.lun, t.itt, ttt, c.currentStatSn(), c.window.expCmdSn(), c.window.maxCmdSn(),
                t.sn++, offset, length);
    }

    /**
     * Where the data of the Data-Out whose header this is goes: straight into its task's buffer when the PDU is in
     * sequence (the checks of {@link #dataOut}, which still decides when the PDU is complete), else null.
     */
    ByteBuf landingFor(IscsiPdu h) {
        IscsiTask t = c.tasks.get(h.itt());
        if (t == null || t.state != IscsiTask.State.COLLECTING) {
            return null;
        }
        int off = DataOutPdu.bufferOffset(h);
        int len = h.dataSegmentLength();
        if (off < 0 || len > t.expectedLength - off) {
            return null;
        }
        int ttt = DataOutPdu.ttt(h);
        if (ttt == IscsiPdu.RESERVED_TAG) {
            if (off + len > t.unsolicitedEnd || DataOutPdu.dataSn(h) != t.unsolicitedDataSn
                    || (c.params.dataPduInOrder && off != t.unsolicitedOffset)) {
                return null;
            }
            chunk(t, 0, t.unsolicitedEnd); // the unsolicited burst's buffer, on its first byte
        } else {
            IscsiTask.R2t r2t = t.r2t(ttt);
            if (r2t == null || off < r2t.offset || off + len > r2t.offset + r2t.length
                    || DataOutPdu.dataSn(h) != r2t.nextDataSn
                    || (c.params.dataPduInOrder && off != r2t.offset + r2t.received)) {
                return null;
            }
        }
        landed = t.chunks.slice(off, len);
        return landed;
    }

    void dataOut(IscsiPdu pdu) {
        try {
            int itt = pdu.itt();
            IscsiTask t = c.tasks.get(itt);
            if (t == null || t.state != IscsiTask.State.COLLECTING) {
                // Data for a task we aborted or never had: discard (RFC 7143 11.7.4 allows no answer at ERL 0).
                LOG.debug("{}: discarding Data-Out for unknown ITT 0x{}", c.ctx.channel(), Integer.toHexString(itt));
                return;
            }
            int off = DataOutPdu.bufferOffset(pdu);
            int dataSn = DataOutPdu.dataSn(pdu);
            int len = pdu.data().readableBytes();
            if (off < 0 || len > t.expectedLength - off) {
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            IscsiTask.R2t r2t = null;
            int ttt = DataOutPdu.ttt(pdu);
            if (ttt == IscsiPdu.RESERVED_TAG) {
                if (off + len > t.unsolicitedEnd) {
                    c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                    return;
                }
                if (dataSn != t.unsolicitedDataSn || (c.params.dataPduInOrder && off != t.unsolicitedOffset)) {
                    sequenceError(t, dataSn, off, t.unsolicitedDataSn);
                    return;
                }
                t.unsolicitedDataSn++;
                t.unsolicitedOffset = off + len;
                if (pdu.finalBit() && t.unsolicitedOffset < t.unsolicitedEnd && c.params.dataPduInOrder) {
                    // The initiator ended its unsolicited burst early: solicit what it left out.
                    sendR2t(t, t.unsolicitedOffset, t.unsolicitedEnd - t.unsolicitedOffset);
                    t.unsolicitedEnd = t.unsolicitedOffset;
                }
            } else {
                r2t = t.r2t(ttt);
                if (r2t == null || off < r2t.offset || off + len > r2t.offset + r2t.length) {
                    c.reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                    return;
                }
                if (dataSn != r2t.nextDataSn || (c.params.dataPduInOrder && off != r2t.offset + r2t.received)) {
                    sequenceError(t, dataSn, off, r2t.nextDataSn);
                    return;
                }
                r2t.nextDataSn++;
                r2t.received += len;
            }
            if (len > 0) {
                if (r2t == null) {
                    chunk(t, 0, t.unsolicitedEnd); // the unsolicited burst's buffer, on its first byte
                }
                if (pdu.data() != landed) { // else landingFor put it in place already
                    t.chunks.store(off, pdu.data(), len);
                }
                t.received += len;
            }
            if (r2t != null && (pdu.finalBit() || r2t.received >= r2t.length)) {
                t.removeR2t(r2t);
            }
            if (t.received >= t.expectedLength) {
                t.r2tCount = 0;
                c.commands.run(t);
            } else {
                solicit(t);
            }
        } finally {
            landed = null;
            pdu.release();
        }
    }

    /**
     * A Data-Out out of sequence (DataSN or offset). ErrorRecoveryLevel 0 has no within-command recovery, so the
     * command ends: CHECK CONDITION, ABORTED COMMAND / DATA PHASE ERROR (SPC-4 4Bh/00h); its remaining Data-Out is
     * discarded. The connection stays up.
     */
    private void sequenceError(IscsiTask t, int dataSn, int offset, int expectedDataSn) {
        LOG.info("{}: Data-Out for {} out of sequence (DataSN {}, expected {}, offset {}); failing the command",
                c.ctx.channel(), t, Integer.toUnsignedString(dataSn), expectedDataSn,
                Integer.toUnsignedString(offset));
        c.commands.end(t);
        c.commands.sendCheckCondition(t, DATA_PHASE_ERROR);
        c.tmf.taskGone(t);
    }

    private static byte[] dataPhaseError() {
        byte[] sense = new byte[18];
        sense[0] = 0x70;           // current error, fixed format
        sense[2] = 0x0b;           // ABORTED COMMAND
        sense[7] = 10;             // additional sense length
        sense[12] = 0x4b;          // DATA PHASE ERROR
        return sense;
    }

    /**
     * The buffer for Data-Out at [offset, offset + length) unless one allowed earlier covers offset (the unsolicited
     * burst's covers the gap an early F leaves in it). Counted in the pool's bytes only from here. The immediate
     * data of the command being admitted becomes that buffer when it is exactly that range: it was received into
     * an I/O buffer already.
     */
    private void chunk(IscsiTask t, int offset, int length) {
        if (length > 0 && t.chunks.at(offset) == null) {
            ByteBuf b;
            if (offset == 0 && adoptable != null && adoptable.readerIndex() == 0
                    && adoptable.readableBytes() == length && adoptable.capacity() == length) {
                b = adoptable.retain();
            } else {
                b = IoBuffers.allocate(length);
                b.writerIndex(length);
            }
            t.chunks.add(offset, b);
        }
    }

    /** The task is about to run: its chunks, in offset order, become the one buffer the command set reads (no copy). */
    void join(IscsiTask t) {
        t.dataOut = t.chunks.join();
    }

    /** Frees a task's write data and gives its reservation back to the budget (admitting waiting writes). */
    void release(IscsiTask t) {
        t.r2tCount = 0;
        if (t.dataOut != null) {
            t.dataOut.release();
            t.dataOut = null;
        }
        t.chunks.release();
        if (!t.admitted) {
            awaitingBuffer.remove(t);
        } else if (t.reserved > 0) {
            writeReserved -= t.reserved;
            t.reserved = 0;
            admitWaiting();
        }
    }

    /** The connection is gone: no waiting write will be admitted. */
    void clear() {
        awaitingBuffer.clear();
    }
}
