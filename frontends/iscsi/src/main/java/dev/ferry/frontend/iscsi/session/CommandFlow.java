package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.pdu.DataInPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a SCSI command on a connection (RFC 7143 11.3, 11.4, 11.7): checks the SCSI Command PDU, creates its
 * task, hands writes to the {@link DataOutCollector}, runs the task in the export's command set and sends its
 * Data-In and status when it completes.
 */
final class CommandFlow {
    private static final Logger LOG = LoggerFactory.getLogger(CommandFlow.class);
    /** Largest Expected Data Transfer Length we buffer for one write. */
    static final int MAX_WRITE_TRANSFER = 64 << 20;

    private final IscsiConnection c;

    CommandFlow(IscsiConnection c) {
        this.c = c;
    }

    void scsiCommand(IscsiPdu pdu) {
        try {
            if (c.session.discovery()) {
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            int itt = pdu.itt();
            if (itt == IscsiPdu.RESERVED_TAG) {
                c.reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            if (c.tasks.contains(itt)) {
                c.reject(RejectPdu.TASK_IN_PROGRESS, pdu.bhs());
                return;
            }
            if (pdu.immediate() && c.tasks.size() > c.window.size()) {
                // Immediate commands bypass the CmdSN window (RFC 7143 3.2.2.1), which must still hold one: past
                // that the task set is full (SAM-5 5.3), so a flood of them cannot pile up.
                sendStatus(itt, ScsiResponse.TASK_SET_FULL, 0);
                return;
            }
            int cdbLength = ScsiCommandPdu.cdbLength(pdu);
            int edtl = pdu.u32(ScsiCommandPdu.OFFSET_EXPECTED_LENGTH);
            int immediate = pdu.data().readableBytes();
            boolean write = (pdu.flags() & ScsiCommandPdu.FLAG_WRITE) != 0;
            if (cdbLength < 0 || edtl < 0) {
                c.reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            if (immediate > 0 && (!write || !c.params.immediateData || immediate > c.params.firstBurstLength
                    || immediate > edtl)) {
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            if (write && edtl > MAX_WRITE_TRANSFER) {
                c.encoder.writeScsiResponse(c.ctx, 0, ScsiResponsePdu.RESPONSE_TARGET_FAILURE, ScsiResponse.GOOD,
                        itt, c.nextStatSn(), c.window.expCmdSn(), c.window.maxCmdSn(), 0, 0, null);
                return;
            }
            IscsiTask t = c.tasks.acquire();
            t.init(itt, pdu.u32(ScsiCommandPdu.OFFSET_CMDSN), pdu.lun(), edtl,
                    TaskAttribute.fromIscsi(pdu.flags() & ScsiCommandPdu.ATTR_MASK), c.session.nexus);
            ScsiCommandPdu.cdb(pdu, t.cdb(cdbLength));
            c.tasks.put(t);
            if (!write || edtl == 0 || !c.target.acceptsDataOut(t)) {
                // A write the command set refuses without reading its data (a LUN this initiator does not see, an
                // unknown operation code) runs at once: no buffer, and its unsolicited data is discarded.
                run(t);
                return;
            }
            c.dataOut.begin(t, pdu.finalBit(), pdu.data());
        } finally {
            pdu.release();
        }
    }

    /** Hands a task whose data is complete to the command set. */
    void run(IscsiTask t) {
        t.state = IscsiTask.State.EXECUTING;
        c.dataOut.join(t);
        try {
            c.target.execute(t, c.queue);
        } catch (RuntimeException e) {
            if (t.state == IscsiTask.State.EXECUTING) {
                if (e instanceof UnsupportedOperationException) {
                    LOG.warn("{}: command set failed on {}: {}", c.ctx.channel(), t, e.toString());
                } else {
                    LOG.warn("{}: command set failed on {}", c.ctx.channel(), t, e);
                }
                fail(t);
            }
        }
    }

    /** Ends a task with iSCSI Response "Target Failure" (11.4.3) when the command set could not run it. */
    private void fail(IscsiTask t) {
        end(t);
        if (!t.aborted && c.phase != IscsiConnection.Phase.CLOSED) {
            c.encoder.writeScsiResponse(c.ctx, 0, ScsiResponsePdu.RESPONSE_TARGET_FAILURE, ScsiResponse.GOOD, t.itt,
                    c.nextStatSn(), c.window.expCmdSn(), c.window.maxCmdSn(), t.sn, 0, null);
            c.flush();
        }
        c.tmf.taskGone(t);
    }

    /** Marks a task done, frees its write data and takes it out of the table (its response is the caller's). */
    void end(IscsiTask t) {
        t.state = IscsiTask.State.DONE;
        c.dataOut.release(t);
        c.tasks.remove(t);
    }

    /** {@link IscsiTask#complete}: on this loop, exactly once per task. */
    void completed(IscsiTask t, ScsiResponse r) {
        ByteBuf in = r == null ? null : r.dataIn();
        boolean reusable = false;
        try {
            if (t.state == IscsiTask.State.DONE) {
                return;
            }
            end(t);
            // The command set is done with it, so once every reference here is gone the task serves a new command.
            reusable = true;
            if (t.aborted || c.phase == IscsiConnection.Phase.CLOSED || r == null) {
                return;
            }
            if (t.preempted) {
                sendTaskAborted(t);
                return;
            }
            respond(t, r, in);
            in = null; // respond() consumed it
            c.flushSoon();
        } catch (Throwable e) {
            // Never into the completion queue's drain loop, which serves the loop's other connections too.
            LOG.warn("{}: error completing {}", c.ctx.channel(), t, e);
            c.drop("internal error");
        } finally {
            if (in != null) {
                ReferenceCountUtil.safeRelease(in);
            }
            c.tmf.taskGone(t);
            if (reusable) {
                c.tasks.recycle(t);
            }
        }
    }

    /** TASK ABORTED status (SAM-5 5.6) for a task another initiator's PREEMPT AND ABORT ended (TAS=1). */
    void sendTaskAborted(IscsiTask t) {
        sendStatus(t.itt, ScsiResponse.TASK_ABORTED, t.sn);
        c.flushSoon();
    }

    /** A SCSI Response with only a status (TASK SET FULL, TASK ABORTED). */
    void sendStatus(int itt, int status, int expDataSn) {
        c.encoder.writeScsiResponse(c.ctx, 0, ScsiResponsePdu.RESPONSE_COMPLETED, status, itt, c.nextStatSn(),
                c.window.expCmdSn(), c.window.maxCmdSn(), expDataSn, 0, null);
    }

    /** CHECK CONDITION with {@code sense} (fixed format), for a command the transport ends itself. */
    void sendCheckCondition(IscsiTask t, byte[] sense) {
        c.encoder.writeScsiResponse(c.ctx, 0, ScsiResponsePdu.RESPONSE_COMPLETED, ScsiResponse.CHECK_CONDITION,
                t.itt, c.nextStatSn(), c.window.expCmdSn(), c.window.maxCmdSn(), t.sn, 0, sense);
    }

    /** Data-In (split by the initiator's MaxRecvDataSegmentLength) and status (11.7, 11.4). */
    private void respond(IscsiTask t, ScsiResponse r, ByteBuf in) {
        int residual = r.residual();
        int flags = residual > 0 ? ScsiResponsePdu.FLAG_UNDERFLOW : residual < 0 ? ScsiResponsePdu.FLAG_OVERFLOW : 0;
        int residualCount = residual == Integer.MIN_VALUE ? Integer.MAX_VALUE : Math.abs(residual);
        byte[] sense = r.sense();
        boolean hasSense = sense != null && sense.length > 0;
        // 11.7.4: status may ride on the last Data-In only for a command that did not end in an exception.
        boolean collapse = !hasSense && (r.status() == ScsiResponse.GOOD || r.status() == ScsiResponse.CONDITION_MET);
        int len = in == null ? 0 : Math.min(in.readableBytes(), t.expectedLength);
        try {
            if (len > 0) {
                int mrdsl = c.params.initiatorMaxRecvDataSegmentLength;
                int base = in.readerIndex();
                for (int off = 0; off < len; ) {
                    int n = Math.min(mrdsl, len - off);
                    boolean last = off + n == len;
                    int dataSn = t.sn++;
                    if (last && collapse) {
                        int statSn = c.nextStatSn();
                        c.encoder.writeDataIn(c.ctx, DataInPdu.FLAG_FINAL | DataInPdu.FLAG_STATUS | flags, r.status(),
                                t.lun, t.itt, statSn, c.window.expCmdSn(), c.window.maxCmdSn(), dataSn, off,
                                residualCount, in, base + off, n);
                        return;
                    }
                    // Without status, StatSN is reserved: only ExpCmdSN/MaxCmdSN are current.
                    c.encoder.writeDataIn(c.ctx, last ? DataInPdu.FLAG_FINAL : 0, 0, t.lun, t.itt, 0,
                            c.window.expCmdSn(), c.window.maxCmdSn(), dataSn, off, 0, in, base + off, n);
                    off += n;
                }
            }
        } finally {
            if (in != null) {
                in.release();
            }
        }
        int statSn = c.nextStatSn();
        c.encoder.writeScsiResponse(c.ctx, flags, ScsiResponsePdu.RESPONSE_COMPLETED, r.status(), t.itt, statSn,
                c.window.expCmdSn(), c.window.maxCmdSn(), t.sn, residualCount, hasSense ? sense : null);
    }
}
