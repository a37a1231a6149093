package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.frontend.nvmetcp.pdu.FatalErrorStatus;
import dev.ferry.frontend.nvmetcp.pdu.PduType;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * Host data solicited with R2T (NVMe/TCP 1.0 3.3.2.2): one R2T per command covering all of its data, identified by
 * a transfer tag, so the host's MAXR2T (at least one) is never exceeded. H2CData PDUs must name a live TTAG and
 * their command's CID, stay inside [R2TO, R2TO + R2TL) and arrive contiguously; anything else is a fatal error of
 * the connection. At most {@code capacity} transfers are active, each with a buffer of at most its command's
 * (MDTS-bounded) length, into which each H2CData PDU's data is copied once, as it arrives; the queue handler's
 * command bound keeps it below that, so a full table is a bug reported as such, never a wait.
 *
 * <p>The table is a fixed array of slots and a stack of free ones: a TTAG is {@code round * capacity + slot}, so
 * finding a transfer is a division, nothing is boxed or allocated per transfer, and each slot's round advances so
 * that a tag is not reused soon.
 *
 * @param <C> the command a transfer fetches data for
 */
final class H2CTransfers<C> {
    /** TTAG FFFFh is avoided so that no tag looks like "none". */
    private static final int TAG_LIMIT = 0xFFFF;

    private final int capacity;
    private final int rounds;
    private final Object[] commands;
    private final int[] cids;
    private final ByteBuf[] buffers;
    private final int[] lengths;
    private final int[] tags;
    private final int[] nextRound;
    private final boolean[] digestErrors;
    private final int[] freeSlots;
    private int freeCount;
    private boolean lastDigestError;
    private int refusalStatus;
    private long refusalField;
    private String refusalReason;

    /** @param capacity most transfers active at once; below the TTAG space, so a free tag is always found */
    H2CTransfers(int capacity) {
        if (capacity < 1 || capacity >= TAG_LIMIT) {
            throw new IllegalArgumentException("transfer capacity " + capacity);
        }
        this.capacity = capacity;
        this.rounds = TAG_LIMIT / capacity;
        this.commands = new Object[capacity];
        this.cids = new int[capacity];
        this.buffers = new ByteBuf[capacity];
        this.lengths = new int[capacity];
        this.tags = new int[capacity];
        this.nextRound = new int[capacity];
        this.digestErrors = new boolean[capacity];
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeSlots[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /**
     * Registers a transfer of {@code length} bytes for {@code command} (whose CID is {@code cid}) and returns its
     * TTAG for the R2T that solicits all of it, or -1 without allocating anything when {@code capacity} transfers
     * are already active.
     */
    int start(C command, int cid, int length) {
        if (freeCount == 0) {
            return -1;
        }
        int slot = freeSlots[--freeCount];
        int tag = nextRound[slot] * capacity + slot;
        nextRound[slot] = (nextRound[slot] + 1) % rounds;
        commands[slot] = command;
        cids[slot] = cid;
        buffers[slot] = IoBuffers.allocate(length);
        lengths[slot] = length;
        tags[slot] = tag;
        digestErrors[slot] = false;
        return tag;
    }

    private int slotOf(int ttag) {
        if (ttag < 0 || ttag >= TAG_LIMIT) {
            return -1;
        }
        int slot = ttag % capacity;
        return commands[slot] != null && tags[slot] == ttag ? slot : -1;
    }

    /**
     * An H2CData header: the buffer its {@code length} bytes of data go into (at its writer index), or null when
     * the PDU breaks the transfer's rules; {@link #refusalStatus()} and the others then tell the fatal error.
     */
    ByteBuf destination(int cccid, int ttag, int dataOffset, int length) {
        int slot = slotOf(ttag);
        if (slot < 0) {
            return refuse(FatalErrorStatus.INVALID_HEADER_FIELD, PduType.DATA_TTAG, "unknown TTAG " + ttag);
        }
        if (cccid != cids[slot]) {
            return refuse(FatalErrorStatus.INVALID_HEADER_FIELD, PduType.DATA_CCCID, "CCCID not the TTAG's");
        }
        long offset = dataOffset & 0xFFFFFFFFL;
        if (offset + length > lengths[slot]) {
            return refuse(FatalErrorStatus.DATA_TRANSFER_OUT_OF_RANGE, PduType.DATA_DATAO,
                    "DATAO " + offset + " + " + length + " outside the R2T");
        }
        if (offset != buffers[slot].writerIndex()) {
            // 3.3.2.2: a non-contiguous H2CData PDU is a PDU Sequence Error.
            return refuse(FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, "DATAO " + offset + " not contiguous");
        }
        return buffers[slot];
    }

    private ByteBuf refuse(int fes, long fei, String reason) {
        refusalStatus = fes;
        refusalField = fei;
        refusalReason = reason;
        return null;
    }

    /** FES of the last refused H2CData header. */
    int refusalStatus() { return refusalStatus; }
    /** FEI of the last refused H2CData header: the offset of the offending field. */
    long refusalField() { return refusalField; }
    String refusalReason() { return refusalReason; }

    /**
     * The data of an H2CData PDU of transfer {@code ttag}, accepted by {@link #destination}, is in its buffer: the
     * command once all of its data is (with the buffer attached by {@code attach}, or released after a digest
     * error: {@link #lastDigestError()}), else null.
     */
    C arrived(int ttag, boolean digestError, DataAttach<C> attach) {
        int slot = slotOf(ttag);
        digestErrors[slot] |= digestError;
        if (buffers[slot].writerIndex() < lengths[slot]) {
            return null;
        }
        @SuppressWarnings("unchecked")
        C command = (C) commands[slot];
        lastDigestError = digestErrors[slot];
        if (lastDigestError) {
            buffers[slot].release();
        } else {
            attach.attach(command, buffers[slot]);
        }
        free(slot);
        return command;
    }

    /** Whether the command {@link #arrived} last returned had a data digest error in any of its PDUs. */
    boolean lastDigestError() {
        return lastDigestError;
    }

    /** Hands a completed transfer's buffer to its command. */
    @FunctionalInterface
    interface DataAttach<C> {
        void attach(C command, ByteBuf data);
    }

    private void free(int slot) {
        commands[slot] = null;
        buffers[slot] = null;
        freeSlots[freeCount++] = slot;
    }

    /** The connection is gone: the buffers are released and the solicited commands handed to {@code drop}. */
    void clear(Consumer<C> drop) {
        for (int slot = 0; slot < capacity; slot++) {
            if (commands[slot] != null) {
                @SuppressWarnings("unchecked")
                C command = (C) commands[slot];
                buffers[slot].release();
                free(slot);
                drop.accept(command);
            }
        }
    }
}
