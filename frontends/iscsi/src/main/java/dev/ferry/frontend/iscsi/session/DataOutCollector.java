package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.frontend.iscsi.pdu.DataOutPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.R2tPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;
import java.util.Map;
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
        if (awaitingBuffer.isEmpty() && fitsBudget(t)) {
            admit(t);
        } else if (t.unsolicitedEnd > 0) {
            // Data we did not ask for is here or on its way, and buffering it would pass the budget: push back
            // (SAM-5 5.3: the task set lacks the resources); its Data-Out is discarded, the initiator retries.
            c.tasks.remove(t);
            c.send(ScsiResponsePdu.create().itt(t.itt).status(ScsiResponse.TASK_SET_FULL).pdu(), true);
            return;
        } else {
            awaitingBuffer.add(t); // no R2T, and so no data and no buffer, until the budget has room
        }
        if (immediate > 0) {
            chunk(t, 0, t.unsolicitedEnd);
            store(t, 0, immediateData, immediate);
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
        while (t.r2ts.size() < c.params.maxOutstandingR2T && t.nextR2tOffset < t.expectedLength) {
            int len = Math.min(c.params.maxBurstLength, t.expectedLength - t.nextR2tOffset);
            sendR2t(t, t.nextR2tOffset, len);
            t.nextR2tOffset += len;
        }
    }

    private void sendR2t(IscsiTask t, int offset, int length) {
        int ttt = c.newTtt();
        chunk(t, offset, length);
        t.r2ts.add(new IscsiTask.R2t(ttt, offset, length));
        c.send(R2tPdu.create().itt(t.itt).lun(t.lun).ttt(ttt).r2tSn(t.sn++).bufferOffset(offset)
                .desiredLength(length).pdu(), false);
    }

    void dataOut(IscsiPdu pdu) {
        try {
            DataOutPdu d = new DataOutPdu(pdu);
            IscsiTask t = c.tasks.get(d.itt());
            if (t == null || t.state != IscsiTask.State.COLLECTING) {
                // Data for a task we aborted or never had: discard (RFC 7143 11.7.4 allows no answer at ERL 0).
                LOG.debug("{}: discarding Data-Out for unknown ITT 0x{}", c.ctx.channel(), Integer.toHexString(d.itt()));
                return;
            }
            int off = d.bufferOffset();
            int len = pdu.data().readableBytes();
            if (off < 0 || len > t.expectedLength - off) {
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            IscsiTask.R2t r2t = null;
            if (d.ttt() == IscsiPdu.RESERVED_TAG) {
                if (off + len > t.unsolicitedEnd) {
                    c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                    return;
                }
                if (d.dataSn() != t.unsolicitedDataSn || (c.params.dataPduInOrder && off != t.unsolicitedOffset)) {
                    sequenceError(t, d, t.unsolicitedDataSn);
                    return;
                }
                t.unsolicitedDataSn++;
                t.unsolicitedOffset = off + len;
                if (d.finalBit() && t.unsolicitedOffset < t.unsolicitedEnd && c.params.dataPduInOrder) {
                    // The initiator ended its unsolicited burst early: solicit what it left out.
                    sendR2t(t, t.unsolicitedOffset, t.unsolicitedEnd - t.unsolicitedOffset);
                    t.unsolicitedEnd = t.unsolicitedOffset;
                }
            } else {
                r2t = t.r2t(d.ttt());
                if (r2t == null || off < r2t.offset || off + len > r2t.offset + r2t.length) {
                    c.reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                    return;
                }
                if (d.dataSn() != r2t.nextDataSn
                        || (c.params.dataPduInOrder && off != r2t.offset + r2t.received)) {
                    sequenceError(t, d, r2t.nextDataSn);
                    return;
                }
                r2t.nextDataSn++;
                r2t.received += len;
            }
            if (len > 0) {
                if (r2t == null) {
                    chunk(t, 0, t.unsolicitedEnd); // the unsolicited burst's buffer, on its first byte
                }
                store(t, off, pdu.data(), len);
                t.received += len;
            }
            if (r2t != null && (d.finalBit() || r2t.received >= r2t.length)) {
                t.r2ts.remove(r2t);
            }
            if (t.received >= t.expectedLength) {
                t.r2ts.clear();
                c.commands.run(t);
            } else {
                solicit(t);
            }
        } finally {
            pdu.release();
        }
    }

    /**
     * A Data-Out out of sequence (DataSN or offset). ErrorRecoveryLevel 0 has no within-command recovery, so the
     * command ends: CHECK CONDITION, ABORTED COMMAND / DATA PHASE ERROR (SPC-4 4Bh/00h); its remaining Data-Out is
     * discarded. The connection stays up.
     */
    private void sequenceError(IscsiTask t, DataOutPdu d, int expectedDataSn) {
        LOG.info("{}: Data-Out for {} out of sequence (DataSN {}, expected {}, offset {}); failing the command",
                c.ctx.channel(), t, Integer.toUnsignedString(d.dataSn()), expectedDataSn,
                Integer.toUnsignedString(d.bufferOffset()));
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
     * burst's covers the gap an early F leaves in it). Counted in the pool's bytes only from here.
     */
    private static void chunk(IscsiTask t, int offset, int length) {
        if (length > 0 && t.chunkAt(offset) == null) {
            ByteBuf b = IoBuffers.allocate(length);
            b.writerIndex(length);
            t.chunks.put(offset, b);
        }
    }

    /** Copies Data-Out into the chunk its range was allowed in (the callers checked the range against it). */
    private static void store(IscsiTask t, int offset, ByteBuf data, int length) {
        Map.Entry<Integer, ByteBuf> e = t.chunks.floorEntry(offset);
        e.getValue().setBytes(offset - e.getKey(), data, data.readerIndex(), length);
    }

    /** The task is about to run: its chunks, in offset order, become the one buffer the command set reads (no copy). */
    void join(IscsiTask t) {
        if (t.chunks.isEmpty()) {
            return;
        }
        if (t.chunks.size() == 1) {
            t.dataOut = t.chunks.pollFirstEntry().getValue();
            return;
        }
        CompositeByteBuf all = ByteBufAllocator.DEFAULT.compositeDirectBuffer(t.chunks.size());
        while (!t.chunks.isEmpty()) {
            all.addComponent(true, t.chunks.pollFirstEntry().getValue());
        }
        t.dataOut = all;
    }

    /** Frees a task's write data and gives its reservation back to the budget (admitting waiting writes). */
    void release(IscsiTask t) {
        t.r2ts.clear();
        if (t.dataOut != null) {
            t.dataOut.release();
            t.dataOut = null;
        }
        t.chunks.values().forEach(ByteBuf::release);
        t.chunks.clear();
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
