package dev.ferry.frontend.nvmetcp.pdu;

import dev.ferry.frontend.nvme.spec.Sqe;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/** PDUs passed along the pipeline. Those carrying a buffer own it until released. */
public sealed interface Pdu {

    /** ICReq (3.6.2.2). */
    record IcReq(int pfv, int hpda, int digest, long maxR2t) implements Pdu {
    }

    /** ICResp (3.6.2.3). */
    record IcResp(int pfv, int cpda, int digest, int maxH2cData) implements Pdu {
    }

    /**
     * CapsuleCmd (3.6.2.6): the 64-byte SQE and the in-capsule data (or null), already in a buffer of its own that
     * can serve as the command's I/O buffer. One instance per decoder, reused for every capsule: valid only during
     * the {@code channelRead} that delivers it, which takes the data ({@link #takeData()}) or releases it.
     */
    final class CapsuleCommand implements Pdu, Releasable {
        private final ByteBuf sqe;
        private ByteBuf data;
        private boolean dataDigestError;

        /** @param sqe where the decoder places each capsule's SQE */
        CapsuleCommand(ByteBuf sqe) {
            this.sqe = sqe;
        }

        void set(ByteBuf inCapsuleData, boolean digestError) {
            this.data = inCapsuleData;
            this.dataDigestError = digestError;
        }

        /** The SQE, at index 0 of this view; valid until the next capsule is decoded. */
        public ByteBuf sqe() { return sqe; }
        public ByteBuf data() { return data; }
        public boolean dataDigestError() { return dataDigestError; }

        /** Hands the in-capsule data to the caller, who releases it. */
        public ByteBuf takeData() {
            ByteBuf d = data;
            data = null;
            return d;
        }

        @Override
        public void release() {
            if (data != null) {
                data.release();
                data = null;
            }
        }

        @Override
        public String toString() {
            return "CapsuleCommand[opcode " + Sqe.opcode(sqe) + ", cid " + Sqe.cid(sqe) + "]";
        }
    }

    /** H2CTermReq / C2HTermReq (3.6.2.4, 3.6.2.5): FES, FEI and the offending PDU header. */
    record TermReq(int fes, long fei, ByteBuf header) implements Pdu {
    }

    /** Not on the wire: the decoder found a fatal error and stopped; the handler answers with a C2HTermReq. */
    record Fatal(int fes, long fei, ByteBuf header, String reason) implements Pdu {
    }

    /** PDUs holding reference-counted buffers. */
    interface Releasable {
        void release();
    }

    static void releaseIfNeeded(Object msg) {
        if (msg instanceof Releasable r) {
            r.release();
        } else if (msg instanceof TermReq t && t.header() != null) {
            t.header().release();
        } else if (msg instanceof Fatal f && f.header() != null) {
            f.header().release();
        } else if (msg instanceof ReferenceCounted rc) {
            rc.release();
        }
    }
}
