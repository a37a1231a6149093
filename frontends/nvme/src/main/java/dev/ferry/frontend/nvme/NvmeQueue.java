package dev.ferry.frontend.nvme;

import dev.ferry.frontend.nvme.admin.AdminCommands;
import dev.ferry.frontend.nvme.fabrics.FabricsCommands;
import dev.ferry.frontend.nvme.io.IoCommands;
import dev.ferry.frontend.nvme.spec.Cqe;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One submission/completion queue pair, i.e. one transport connection (nvmet's {@code struct nvmet_sq}). Before
 * Connect it belongs to no controller and takes only Connect; afterwards qid 0 runs the admin command set and
 * other qids the NVM I/O command set. Everything here runs on the connection's event loop.
 */
public final class NvmeQueue {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeQueue.class);

    private final NvmeTarget target;
    private final QueueTransport transport;
    private final IoCommands io;
    private Controller controller;
    private int qid;
    private int entries;
    private int consumed;
    private boolean flowControlDisabled;

    NvmeQueue(NvmeTarget target, QueueTransport transport) {
        this.target = target;
        this.transport = transport;
        this.io = new IoCommands(this);
    }

    public NvmeTarget target() { return target; }
    public QueueTransport transport() { return transport; }
    /** The controller after a successful Connect, else null. */
    public Controller controller() { return controller; }
    public int qid() { return qid; }
    /** Entries of this queue (Connect SQSIZE + 1, 0's based there), or 0 before Connect. */
    public int entries() { return entries; }
    /** The host set CATTR.DISSQFC in Connect: SQHD is not reported, and C2H data may carry SUCCESS. */
    public boolean flowControlDisabled() { return flowControlDisabled; }

    /**
     * A capsule arrived. Parses it and either completes it at once (invalid command) or states how much host data
     * it needs ({@link NvmeRequest#hostDataLength()}); the transport then fetches that and calls {@link #execute}.
     */
    public void receive(NvmeRequest r) {
        consumed++;
        try {
            if (controller != null) {
                controller.touch();
            }
            if (Sqe.psdt(r.sqe()) == Sqe.PSDT_PRP) {
                complete(r, Status.INVALID_FIELD); // fabrics commands always describe data with SGLs
            } else if (r.opcode() == Opcodes.FABRICS) {
                FabricsCommands.parse(this, r);
            } else if (controller == null) {
                complete(r, Status.COMMAND_SEQUENCE_ERROR);
            } else if (qid == 0) {
                AdminCommands.parse(this, r);
            } else {
                io.parse(r);
            }
        } catch (RuntimeException e) {
            LOG.warn("nvme command {} failed to parse", r.opcode(), e);
            complete(r, Status.INTERNAL_ERROR);
        }
    }

    /** The host data is in place (or none was needed): run the command. */
    public void execute(NvmeRequest r) {
        try {
            r.handler().accept(r);
        } catch (RuntimeException e) {
            LOG.warn("nvme command {} failed", r.opcode(), e);
            complete(r, Status.INTERNAL_ERROR);
        }
    }

    public void complete(NvmeRequest r, int status) {
        complete(r, status, 0);
    }

    /** Completes a request once: builds the CQE fields and hands it to the transport. Loop thread only. */
    public void complete(NvmeRequest r, int status, long result) {
        if (r.isCompleted()) {
            return;
        }
        r.result(result);
        r.markCompleted(status);
        // SQHD: entries consumed so far; reserved (0) once the host disabled SQ flow control.
        int sqHead = entries == 0 || flowControlDisabled ? 0 : consumed % entries;
        ByteBuf cqe = PooledByteBufAllocator.DEFAULT.heapBuffer(Cqe.SIZE, Cqe.SIZE);
        Cqe.write(cqe, result, sqHead, qid, r.cid(), status);
        transport.complete(r, cqe);
    }

    /** Connect succeeded: this queue now belongs to {@code c} as queue {@code id} with {@code size} entries. */
    public void bind(Controller c, int id, int size, boolean disableFlowControl) {
        this.controller = c;
        this.qid = id;
        this.entries = size;
        this.flowControlDisabled = disableFlowControl;
    }

    /** The transport's connection closed; tells the controller (which may delete itself). */
    public void closed() {
        if (controller != null) {
            controller.queueClosed(qid, this);
        }
        io.closed();
    }
}
