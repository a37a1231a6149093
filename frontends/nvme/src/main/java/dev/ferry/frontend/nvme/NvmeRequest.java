package dev.ferry.frontend.nvme;

import dev.ferry.frontend.nvme.spec.Sqe;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * One command as it passes between a transport and the controller model (nvmet's {@code struct nvmet_req}). The
 * transport builds it from a capsule and hands it to {@link NvmeQueue#receive}; parsing fills in how much host
 * data is needed ({@link #hostDataLength()}); the transport fetches it (in-capsule data or R2T/H2CData) and calls
 * {@link NvmeQueue#execute}. The model completes it through {@link QueueTransport#complete} with a status, the
 * CQE result and optionally data for the host. Owned by the queue's event loop throughout.
 */
public final class NvmeRequest {
    private final ByteBuf sqe;
    private Consumer<NvmeRequest> handler;
    private int hostDataLength;
    private ByteBuf hostData;
    private ByteBuf controllerData;
    private int status;
    private long result;
    private boolean completed;
    private boolean released;
    /** The queue counting this request as outstanding, until it is completed or released. */
    private NvmeQueue admittedTo;

    /** @param sqe the 64-byte submission queue entry; the request takes ownership */
    public NvmeRequest(ByteBuf sqe) {
        this.sqe = sqe;
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

    /** Parsing result: fetch {@code length} bytes of host data, then run {@code then}. Model only. */
    public void expectHostData(int length, Consumer<NvmeRequest> then) {
        this.hostDataLength = length;
        this.handler = then;
    }

    public Consumer<NvmeRequest> handler() { return handler; }

    /** Attaches data for the host, replacing (and releasing) any earlier. Model only. */
    public void controllerData(ByteBuf data) {
        if (controllerData != null) {
            controllerData.release();
        }
        this.controllerData = data;
    }

    public void result(long value) { this.result = value; }

    void markCompleted(int completionStatus) {
        this.status = completionStatus;
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

    /**
     * Frees the buffers the request still holds; the transport calls this once the response is written. Idempotent,
     * because a request dropped with its connection may be known to more than one owner (a transfer and a fused pair).
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        leaveQueue();
        sqe.release();
        if (hostData != null) {
            hostData.release();
            hostData = null;
        }
        if (controllerData != null) {
            controllerData.release();
            controllerData = null;
        }
    }
}
