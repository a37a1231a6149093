package dev.ferry.frontend.nvme;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.spec.Cqe;
import dev.ferry.frontend.nvme.spec.Sqe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;

/**
 * One command as it passes between a transport and the controller model (nvmet's {@code struct nvmet_req}). The
 * transport takes one from its queue's pool ({@link NvmeQueue#request()}), copies the SQE in and hands it to {@link
 * NvmeQueue#receive}; parsing fills in how much host data is needed ({@link #hostDataLength()}); the transport
 * fetches it (in-capsule data or R2T/H2CData) and calls {@link NvmeQueue#execute}. The model completes it through
 * {@link QueueTransport#complete} with a status and the CQE result, and optionally data for the host; the transport
 * writes the CQE ({@link #writeCqe}) and {@link #release releases} the request back to the pool. Owned by the
 * queue's event loop throughout.
 */
public final class NvmeRequest {
    /** This request's own 64-byte SQE, reused by every command it carries. */
    private final ByteBuf sqe = Unpooled.wrappedBuffer(new byte[Sqe.SIZE]);
    private final RequestPool pool;
    private Consumer<NvmeRequest> handler;
    private LogicalUnit unit;
    private int hostDataLength;
    private ByteBuf hostData;
    private ByteBuf controllerData;
    private int status;
    private long result;
    private int sqHead;
    private int sqId;
    private boolean completed;
    /** In the pool: a second release (a request known to a transfer and a fused pair both) changes nothing. */
    private boolean free = true;
    /** The queue counting this request as outstanding, until it is completed or released. */
    private NvmeQueue admittedTo;

    NvmeRequest(RequestPool pool) {
        this.pool = pool;
    }

    /** Copies the 64-byte SQE from {@code from} at {@code index}: what the transport received. */
    public NvmeRequest sqe(ByteBuf from, int index) {
        sqe.setBytes(0, from, index, Sqe.SIZE);
        return this;
    }

    public ByteBuf sqe() { return sqe; }
    public int cid() { return Sqe.cid(sqe); }
    public int opcode() { return Sqe.opcode(sqe); }
    public int cdw(int n) { return Sqe.cdw(sqe, n); }
    public long nsid() { return Sqe.nsid(sqe); }
    public long sglLength() { return Sqe.sglLength(sqe); }

    /** Bytes the transport must deliver from the host before {@link NvmeQueue#execute}; 0 when none. */
    public int hostDataLength() { return hostDataLength; }
    public ByteBuf hostData() { return hostData; }
    /** Data for the host (Read, Identify, log pages), or null; at most the SGL length is sent. */
    public ByteBuf controllerData() { return controllerData; }
    public int status() { return status; }
    /** CQE DW0 (and DW1 for 8-byte Property Get). */
    public long result() { return result; }
    public boolean isCompleted() { return completed; }

    /** The transport attaches the fetched host data; the request owns it from now on. */
    public void hostData(ByteBuf data) {
        this.hostData = data;
    }

    /** Hands the host data to a new owner (a block request). */
    public ByteBuf takeHostData() {
        ByteBuf d = hostData;
        hostData = null;
        return d;
    }

    /** Hands the data for the host to a new owner (the transport sending it). */
    public ByteBuf takeControllerData() {
        ByteBuf d = controllerData;
        controllerData = null;
        return d;
    }

    /**
     * Parsing result: fetch {@code length} bytes of host data, then run {@code then}. Model only; the I/O command
     * set passes one handler made per queue, so that nothing is allocated per command.
     */
    public void expectHostData(int length, Consumer<NvmeRequest> then) {
        this.hostDataLength = length;
        this.handler = then;
    }

    public Consumer<NvmeRequest> handler() { return handler; }

    /** The namespace's unit the command addresses, noted while parsing for the execution that follows. */
    public void unit(LogicalUnit u) { this.unit = u; }
    public LogicalUnit unit() { return unit; }

    /** Attaches data for the host, replacing (and releasing) any earlier. Model only. */
    public void controllerData(ByteBuf data) {
        if (controllerData != null) {
            controllerData.release();
        }
        this.controllerData = data;
    }

    public void result(long value) { this.result = value; }

    /** The 16-byte completion queue entry of this completed request, appended to {@code out}. */
    public void writeCqe(ByteBuf out) {
        Cqe.write(out, result, sqHead, sqId, cid(), status);
    }

    void markCompleted(int completionStatus, int head, int queueId) {
        this.status = completionStatus;
        this.sqHead = head;
        this.sqId = queueId;
        this.completed = true;
        leaveQueue();
    }

    void admit(NvmeQueue queue) {
        this.admittedTo = queue;
    }

    private void leaveQueue() {
        if (admittedTo != null) {
            admittedTo.ended();
            admittedTo = null;
        }
    }

    /** Taken from the pool for a new command. */
    void reuse() {
        free = false;
        handler = null;
        unit = null;
        hostDataLength = 0;
        status = 0;
        result = 0;
        sqHead = 0;
        sqId = 0;
        completed = false;
    }

    /**
     * Frees the buffers the request still holds and returns it to its queue's pool; the transport calls this once
     * the response is written. Idempotent, because a request dropped with its connection may be known to more than
     * one owner (a transfer and a fused pair). Loop thread only.
     */
    public void release() {
        if (free) {
            return;
        }
        free = true;
        leaveQueue();
        handler = null;
        unit = null;
        if (hostData != null) {
            hostData.release();
            hostData = null;
        }
        if (controllerData != null) {
            controllerData.release();
            controllerData = null;
        }
        pool.recycle(this);
    }
}
