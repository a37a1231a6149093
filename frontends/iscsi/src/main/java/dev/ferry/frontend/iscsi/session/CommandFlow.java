package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.pdu.DataInPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
        ScsiCommandPdu cmd = new ScsiCommandPdu(pdu);
        try {
            if (c.session.discovery()) {
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            int itt = cmd.itt();
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
                c.send(ScsiResponsePdu.create().itt(itt).status(ScsiResponse.TASK_SET_FULL).pdu(), true);
                return;
            }
            byte[] cdb = cmd.cdb();
            int edtl = cmd.expectedDataTransferLength();
            int immediate = pdu.data().readableBytes();
            if (cdb == null || edtl < 0) {
                c.reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            if (immediate > 0 && (!cmd.write() || !c.params.immediateData || immediate > c.params.firstBurstLength
                    || immediate > edtl)) {
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            if (cmd.write() && edtl > MAX_WRITE_TRANSFER) {
                c.send(ScsiResponsePdu.create().itt(itt).response(ScsiResponsePdu.RESPONSE_TARGET_FAILURE).pdu(), true);
                return;
            }
            IscsiTask t = new IscsiTask(c, itt, cmd.cmdSn(), cmd.lun(), cdb, edtl,
                    TaskAttribute.fromIscsi(cmd.attribute()), c.session.nexus);
            c.tasks.put(t);
            if (!cmd.write() || edtl == 0 || !c.target.acceptsDataOut(t)) {
                // A write the command set refuses without reading its data (a LUN this initiator does not see, an
                // unknown operation code) runs at once: no buffer, and its unsolicited data is discarded.
                run(t);
                return;
            }
            c.dataOut.begin(t, cmd.finalBit(), pdu.data());
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
            c.send(ScsiResponsePdu.create().itt(t.itt).response(ScsiResponsePdu.RESPONSE_TARGET_FAILURE)
                    .expDataSn(t.sn).pdu(), true);
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
        try {
            if (t.state == IscsiTask.State.DONE) {
                return;
            }
            end(t);
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
        }
    }

    /** TASK ABORTED status (SAM-5 5.6) for a task another initiator's PREEMPT AND ABORT ended (TAS=1). */
    void sendTaskAborted(IscsiTask t) {
        c.send(ScsiResponsePdu.create().itt(t.itt).status(ScsiResponse.TASK_ABORTED).expDataSn(t.sn).pdu(), true);
        c.flushSoon();
    }

    /**
     * CHECK CONDITION with {@code sense} (fixed format), for a command the transport ends itself; the response
     * carries the SenseLength and the sense data (11.4.7).
     */
    void sendCheckCondition(IscsiTask t, byte[] sense) {
        c.send(ScsiResponsePdu.create().itt(t.itt).status(ScsiResponse.CHECK_CONDITION).expDataSn(t.sn).pdu()
                .data(senseSegment(sense)), true);
    }

    private static ByteBuf senseSegment(byte[] sense) {
        ByteBuf b = Unpooled.buffer(2 + sense.length);
        b.writeShort(sense.length).writeBytes(sense);   // 11.4.7: SenseLength, then the sense data
        return b;
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
                    DataInPdu d = DataInPdu.create().itt(t.itt).lun(t.lun).dataSn(t.sn++).bufferOffset(off);
                    d.pdu().data(in.retainedSlice(base + off, n));
                    if (last && collapse) {
                        d.flags(DataInPdu.FLAG_FINAL | DataInPdu.FLAG_STATUS | flags).status(r.status())
                                .residualCount(residualCount);
                        c.send(d.pdu(), true);
                        return;
                    }
                    d.flags(last ? DataInPdu.FLAG_FINAL : 0);
                    sendDataIn(d.pdu());
                    off += n;
                }
            }
        } finally {
            if (in != null) {
                in.release();
            }
        }
        ScsiResponsePdu s = ScsiResponsePdu.create().itt(t.itt).residualFlags(flags).status(r.status())
                .response(ScsiResponsePdu.RESPONSE_COMPLETED).expDataSn(t.sn).residualCount(residualCount);
        if (hasSense) {
            s.pdu().data(senseSegment(sense));
        }
        c.send(s.pdu(), true);
    }

    /** A Data-In without status: StatSN is reserved, only ExpCmdSN/MaxCmdSN are current. */
    private void sendDataIn(IscsiPdu p) {
        TargetPdu.sequence(p, 0, c.window.expCmdSn(), c.window.maxCmdSn());
        c.ctx.write(p, c.ctx.voidPromise());
    }
}
