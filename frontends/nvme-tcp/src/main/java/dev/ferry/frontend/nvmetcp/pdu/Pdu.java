package dev.ferry.frontend.nvmetcp.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/** Decoded and to-be-encoded PDUs. Those carrying a buffer own it until released. */
public sealed interface Pdu {

    /** ICReq (3.6.2.2). */
    record IcReq(int pfv, int hpda, int digest, long maxR2t) implements Pdu {
    }

    /** ICResp (3.6.2.3). */
    record IcResp(int pfv, int cpda, int digest, int maxH2cData) implements Pdu {
    }

    /** CapsuleCmd (3.6.2.6): the 64-byte SQE and in-capsule data (or null). */
    record CapsuleCommand(ByteBuf sqe, ByteBuf data, boolean dataDigestError) implements Pdu, Releasable {
        @Override
        public void release() {
            sqe.release();
            if (data != null) {
                data.release();
            }
        }
    }

    /** CapsuleResp (3.6.2.7): the 16-byte CQE. */
    record CapsuleResponse(ByteBuf cqe) implements Pdu {
    }

    /** H2CData (3.6.2.8). */
    record H2CData(int cccid, int ttag, int dataOffset, boolean last, ByteBuf data, boolean dataDigestError)
            implements Pdu, Releasable {
        @Override
        public void release() {
            data.release();
        }
    }

    /** C2HData (3.6.2.9). */
    record C2HData(int cccid, int dataOffset, ByteBuf data, boolean last, boolean success) implements Pdu {
    }

    /** R2T (3.6.2.10). */
    record R2t(int cccid, int ttag, int offset, int length) implements Pdu {
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
