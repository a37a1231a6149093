package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvmetcp.pdu.FatalErrorStatus;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.pdu.PduType;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;

/**
 * Host data solicited with R2T (NVMe/TCP 1.0 3.3.2.2): one R2T per command covering all of its data, identified by
 * a transfer tag, so the host's MAXR2T (at least one) is never exceeded. H2CData PDUs must name a live TTAG and
 * their command's CID, stay inside [R2TO, R2TO + R2TL) and arrive contiguously; anything else is a fatal error of
 * the connection. At most {@code capacity} transfers are active, each with a buffer of at most its command's
 * (MDTS-bounded) length; the queue handler's command bound keeps it below that, so a full table is a bug reported
 * as such, never a wait.
 */
final class H2CTransfers {
    /** TTAG FFFFh is avoided so that no tag looks like "none". */
    private static final int TAG_LIMIT = 0xFFFF;

    private static final class Transfer {
        final NvmeRequest request;
        final ByteBuf buffer;
        final int length;
        boolean digestError;

        Transfer(NvmeRequest request, int length) {
            this.request = request;
            this.length = length;
            this.buffer = IoBuffers.allocate(length);
        }
    }

    /**
     * What one H2CData PDU did: nothing yet, completed a transfer (request with its data attached), or a fatal
     * error with its FES and FEI (the offset of the offending field in the H2CData header).
     */
    record Result(NvmeRequest completed, boolean digestError, int fatalStatus, long fatalOffset, String reason) {
        static final Result MORE = new Result(null, false, 0, 0, null);

        static Result fatal(int fes, long fei, String reason) {
            return new Result(null, false, fes, fei, reason);
        }
    }

    private final IntObjectHashMap<Transfer> active = new IntObjectHashMap<>();
    private final int capacity;
    private int nextTag;

    /** @param capacity most transfers active at once; below the TTAG space, so a free tag is always found */
    H2CTransfers(int capacity) {
        if (capacity < 1 || capacity >= TAG_LIMIT) {
            throw new IllegalArgumentException("transfer capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Registers a transfer and returns the R2T that solicits all of it, or null without allocating anything when
     * {@code capacity} transfers are already active. Tags go round the TTAG space, so a tag is not reused soon.
     */
    Pdu.R2t start(NvmeRequest r, int length) {
        if (active.size() >= capacity) {
            return null;
        }
        int tag;
        do {
            tag = nextTag;
            nextTag = (nextTag + 1) % TAG_LIMIT;
        } while (active.containsKey(tag));
        active.put(tag, new Transfer(r, length));
        return new Pdu.R2t(r.cid(), tag, 0, length);
    }

    Result accept(Pdu.H2CData d) {
        Transfer t = active.get(d.ttag());
        if (t == null) {
            return Result.fatal(FatalErrorStatus.INVALID_HEADER_FIELD, PduType.DATA_TTAG, "unknown TTAG " + d.ttag());
        }
        if (d.cccid() != t.request.cid()) {
            return Result.fatal(FatalErrorStatus.INVALID_HEADER_FIELD, PduType.DATA_CCCID, "CCCID not the TTAG's");
        }
        long offset = d.dataOffset() & 0xFFFFFFFFL;
        int length = d.data().readableBytes();
        if (offset + length > t.length) {
            return Result.fatal(FatalErrorStatus.DATA_TRANSFER_OUT_OF_RANGE, PduType.DATA_DATAO,
                    "DATAO " + offset + " + " + length + " outside the R2T");
        }
        if (offset != t.buffer.writerIndex()) {
            // 3.3.2.2: a non-contiguous H2CData PDU is a PDU Sequence Error.
            return Result.fatal(FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, "DATAO " + offset + " not contiguous");
        }
        t.buffer.writeBytes(d.data());
        t.digestError |= d.dataDigestError();
        if (t.buffer.writerIndex() < t.length) {
            return Result.MORE;
        }
        active.remove(d.ttag());
        if (t.digestError) {
            t.buffer.release();
        } else {
            t.request.hostData(t.buffer);
        }
        return new Result(t.request, t.digestError, 0, 0, null);
    }

    /** The connection is gone: the solicited requests and their buffers are dropped. */
    void clear() {
        for (Transfer t : active.values()) {
            t.buffer.release();
            t.request.release();
        }
        active.clear();
    }
}
