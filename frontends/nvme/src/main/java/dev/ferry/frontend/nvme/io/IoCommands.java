package dev.ferry.frontend.nvme.io;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.request.RequestCompletion;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.frontend.nvme.Ana;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVM command set on one I/O queue (NVM Command Set 1.0 3): each command becomes one core {@link
 * BlockRequest}, whose completion arrives on this queue's event loop. Checks that would make fetching host data
 * pointless (namespace, range, size, write protection) happen while parsing, before any R2T.
 */
public final class IoCommands {
    private static final Logger LOG = LoggerFactory.getLogger(IoCommands.class);
    // Read/Write/Compare/Write Zeroes CDW12 fields (Figure 29, 46, 57)
    static final int FUA = 1 << 30;
    static final int DEAC = 1 << 25;
    /** Dataset Management CDW11 bit 2: Attribute - Deallocate (Figure 39). */
    static final int DSM_AD = 1 << 2;
    private static final long NSID_BROADCAST = 0xFFFFFFFFL;

    private final NvmeQueue queue;
    private final FusedCommands fused;
    private final CopyCommand copy;
    /** Made once per queue rather than a lambda per command. */
    private final Consumer<NvmeRequest> execute = this::execute;
    private final RequestCompletion completed = this::completed;

    public IoCommands(NvmeQueue queue) {
        this.queue = queue;
        this.fused = new FusedCommands(queue, this);
        this.copy = new CopyCommand(queue);
    }

    public void parse(NvmeRequest r) {
        if (fused.arrived(r)) {
            return;
        }
        int opc = r.opcode();
        LogicalUnit u = queue.controller().namespace(r.nsid());
        boolean known = isKnown(opc) || ReservationCommands.handles(opc);
        if (u == null) {
            queue.complete(r, known ? Status.INVALID_NAMESPACE : Status.INVALID_OPCODE);
            return;
        }
        // ANA first, for every I/O command (as nvmet_check_ana_state): a host must fail over, not be told more
        int path = known ? Ana.ioStatus(queue.controller()) : Status.SUCCESS;
        if (path != Status.SUCCESS) {
            queue.complete(r, path);
            return;
        }
        if (ReservationCommands.handles(opc)) {
            ReservationCommands.parse(queue, r, u); // not subject to the reservation (Base 2.0 8.19.1 Figure 448)
            return;
        }
        if (isKnown(opc) && reservationConflict(u, writes(opc))) {
            queue.complete(r, Status.RESERVATION_CONFLICT);
            return;
        }
        switch (opc) {
            case Opcodes.READ -> {
                int status = checkTransfer(r, u, false);
                if (status != Status.SUCCESS) {
                    queue.complete(r, status);
                    return;
                }
                run(r, u, 0);
            }
            case Opcodes.WRITE, Opcodes.COMPARE -> {
                int status = checkTransfer(r, u, true);
                if (status != Status.SUCCESS) {
                    queue.complete(r, status);
                    return;
                }
                run(r, u, transferBytes(r, u));
            }
            case Opcodes.FLUSH -> run(r, u, 0);
            case Opcodes.WRITE_ZEROES -> {
                int status = checkRange(r, u, true);
                if (status != Status.SUCCESS) {
                    queue.complete(r, status);
                    return;
                }
                run(r, u, 0);
            }
            case Opcodes.DATASET_MANAGEMENT -> {
                int ranges = ranges(r);
                long sgl = r.sglLength();
                if (sgl < (long) ranges * Limits.DSM_RANGE_SIZE || sgl > Limits.MAX_DSM_RANGES * Limits.DSM_RANGE_SIZE) {
                    queue.complete(r, Status.DATA_SGL_LENGTH_INVALID);
                    return;
                }
                if ((r.cdw(11) & DSM_AD) != 0 && u.descriptor().readOnly()) {
                    queue.complete(r, Status.NAMESPACE_WRITE_PROTECTED);
                    return;
                }
                run(r, u, (int) sgl);
            }
            case Opcodes.COPY -> {
                int status = copy.check(r, u);
                if (status != Status.SUCCESS) {
                    queue.complete(r, status);
                    return;
                }
                run(r, u, (int) r.sglLength());
            }
            default -> queue.complete(r, Status.INVALID_OPCODE);
        }
    }

    /** Parsed: {@link #execute} runs once the transport has the {@code hostBytes} of host data. */
    private void run(NvmeRequest r, LogicalUnit u, int hostBytes) {
        r.unit(u);
        r.expectHostData(hostBytes, execute);
    }

    /** A parsed command with its host data: becomes a block request (the opcode was checked while parsing). */
    private void execute(NvmeRequest r) {
        LogicalUnit u = r.unit();
        if (reservationConflict(u, writes(r.opcode()))) {
            // Checked again now the data is here: a preemption (and abort) while it was being fetched refuses it.
            queue.complete(r, Status.RESERVATION_CONFLICT);
            return;
        }
        switch (r.opcode()) {
            case Opcodes.READ -> read(r, u);
            case Opcodes.WRITE -> submit(r, u, BlockOp.WRITE, slba(r), blocks(r), r.takeHostData(),
                    (r.cdw(12) & FUA) != 0, false);
            case Opcodes.COMPARE -> submit(r, u, BlockOp.VERIFY, slba(r), blocks(r), r.takeHostData(),
                    (r.cdw(12) & FUA) != 0, false);
            case Opcodes.FLUSH -> submit(r, u, BlockOp.FLUSH, 0, 0, null, false, false);
            case Opcodes.WRITE_ZEROES -> submit(r, u, BlockOp.WRITE_ZEROES, slba(r), blocks(r), null,
                    (r.cdw(12) & FUA) != 0, (r.cdw(12) & DEAC) != 0);
            case Opcodes.DATASET_MANAGEMENT -> datasetManagement(r, u, ranges(r));
            case Opcodes.COPY -> copy.execute(r, u);
            default -> throw new IllegalStateException("opcode not parsed: " + r.opcode());
        }
    }

    /** Dataset Management NR, CDW10 7:0, is 0's based. */
    private static int ranges(NvmeRequest r) {
        return (r.cdw(10) & 0xFF) + 1;
    }

    /**
     * Whether the unit's reservation (made through SCSI or NVMe) refuses this host (Base 2.0 8.19.1 Figure 448):
     * checked before any data is fetched and again before execution. Write, Write Zeroes, Dataset Management and
     * Flush are write commands; Read and Compare read. The host is {@link Registrant#nvmeHost}.
     */
    boolean reservationConflict(LogicalUnit u, boolean writes) {
        if (!u.reservations().reserved()) {
            return false; // the common case: no reservation, no identity to build
        }
        return u.reservations().conflicts(Registrant.nvmeHost(queue.controller().hostNqn(),
                queue.controller().hostId()), writes);
    }

    private static boolean writes(int opc) {
        return opc != Opcodes.READ && opc != Opcodes.COMPARE;
    }

    private static boolean isKnown(int opc) {
        return opc == Opcodes.READ || opc == Opcodes.WRITE || opc == Opcodes.COMPARE || opc == Opcodes.FLUSH
                || opc == Opcodes.WRITE_ZEROES || opc == Opcodes.DATASET_MANAGEMENT || opc == Opcodes.COPY;
    }

    static long slba(NvmeRequest r) {
        return (r.cdw(11) & 0xFFFFFFFFL) << 32 | (r.cdw(10) & 0xFFFFFFFFL);
    }

    /** NLB, CDW12 15:0, is 0's based. */
    static int blocks(NvmeRequest r) {
        return (r.cdw(12) & 0xFFFF) + 1;
    }

    static int transferBytes(NvmeRequest r, LogicalUnit u) {
        return blocks(r) * u.descriptor().logicalBlockSize();
    }

    /** Range and write protection; the core checks again, but failing here saves fetching the data. */
    int checkRange(NvmeRequest r, LogicalUnit u, boolean writes) {
        BackendDescriptor d = u.descriptor();
        if (writes && d.readOnly()) {
            return Status.NAMESPACE_WRITE_PROTECTED;
        }
        long slba = slba(r);
        if (slba < 0 || slba > d.capacityBlocks() - blocks(r)) {
            return Status.LBA_OUT_OF_RANGE;
        }
        return Status.SUCCESS;
    }

    /** Size limits (MDTS, backend maximum) and the SGL length for data-moving commands. */
    int checkTransfer(NvmeRequest r, LogicalUnit u, boolean hostToController) {
        BackendDescriptor d = u.descriptor();
        int bytes = transferBytes(r, u);
        if (bytes > Limits.MAX_DATA_TRANSFER || blocks(r) > d.maxTransferBlocks()) {
            return Status.INVALID_FIELD;
        }
        long sgl = r.sglLength();
        if (hostToController ? sgl != bytes : sgl < bytes) {
            return Status.DATA_SGL_LENGTH_INVALID;
        }
        return checkRange(r, u, hostToController && r.opcode() != Opcodes.COMPARE);
    }

    private void read(NvmeRequest r, LogicalUnit u) {
        int bytes = transferBytes(r, u);
        ByteBuf data = IoBuffers.allocate(bytes);
        submit(r, u, BlockOp.READ, slba(r), blocks(r), data, (r.cdw(12) & FUA) != 0, false);
    }

    /** Ranges (Figure 40, 16 bytes): context attributes 0-3, length in blocks 4-7, starting LBA 8-15. */
    private void datasetManagement(NvmeRequest r, LogicalUnit u, int ranges) {
        if ((r.cdw(11) & DSM_AD) == 0 || !u.descriptor().discard()) {
            queue.complete(r, Status.SUCCESS); // without AD the attributes are hints; deallocation is advisory
            return;
        }
        ByteBuf list = r.hostData();
        BlockRequest b = acquire(r);
        if (b == null) {
            return;
        }
        b.set(BlockOp.UNMAP, 0, 0, null, completed, r);
        for (int i = 0; i < ranges; i++) {
            int at = list.readerIndex() + i * Limits.DSM_RANGE_SIZE;
            long length = list.getUnsignedIntLE(at + 4);
            long slba = list.getLongLE(at + 8);
            if (length > Integer.MAX_VALUE) {
                b.release();
                queue.complete(r, Status.LBA_OUT_OF_RANGE);
                return;
            }
            if (length > 0) {
                b.addRange(slba, (int) length);
            }
        }
        u.submit(b);
    }

    void submit(NvmeRequest r, LogicalUnit u, BlockOp op, long lba, int blocks, ByteBuf data, boolean fua,
                boolean deallocate) {
        BlockRequest b = acquire(r);
        if (b == null) {
            if (data != null) {
                data.release();
            }
            return;
        }
        b.set(op, lba, blocks, data, completed, r).fua(fua).deallocate(deallocate);
        u.submit(b);
    }

    /** A pooled block request, or null after completing {@code r} as retryable when the loop is saturated. */
    BlockRequest acquire(NvmeRequest r) {
        BlockRequest b = queue.transport().completionQueue().acquire();
        if (b == null) {
            queue.complete(r, Status.COMMAND_INTERRUPTED);
        }
        return b;
    }

    /** Runs on the event loop from the completion ring: nothing may escape into the ring's drain loop. */
    private void completed(BlockRequest b) {
        NvmeRequest r = (NvmeRequest) b.context();
        CompletionStatus s = b.status();
        try {
            if (b.op() == BlockOp.READ && s == CompletionStatus.GOOD) {
                r.controllerData(b.takeData());
            }
            b.release();
            queue.complete(r, StatusMapping.of(s));
        } catch (Throwable t) {
            // Errors too: the command cannot be answered any more, so its connection closes instead of leaving the
            // host waiting for it.
            LOG.warn("nvme completion of {} failed", b.op(), t);
            r.release();
            queue.transport().close();
        }
    }

    public void closed() {
        fused.clear();
    }
}
