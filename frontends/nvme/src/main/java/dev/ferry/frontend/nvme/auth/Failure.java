package dev.ferry.frontend.nvme.auth;

import io.netty.buffer.ByteBuf;

/**
 * AUTH_Failure1 (controller to host) and AUTH_Failure2 (host to controller) (Base 2.0 8.13): header, reason code
 * (01h, authentication failure) and reason code explanation, 8 bytes as Linux and SPDK send them.
 *
 * @param first true for AUTH_Failure1
 */
public record Failure(boolean first, int tid, int reason, int explanation) {
    static final int REASON = 6;
    static final int EXPLANATION = 7;
    static final int SIZE = 8;

    static Failure failure1(int tid, int explanation) {
        return new Failure(true, tid, AuthSpec.REASON_FAILED, explanation);
    }

    public ByteBuf encode() {
        ByteBuf m = Messages.header(SIZE, AuthSpec.TYPE_COMMON, first ? AuthSpec.ID_FAILURE1 : AuthSpec.ID_FAILURE2,
                tid);
        m.setByte(REASON, reason);
        m.setByte(EXPLANATION, explanation);
        return m;
    }

    public static Failure decode(ByteBuf m) throws AuthFailure {
        Messages.check(m.readableBytes() == SIZE, "failure is not 8 bytes");
        int base = m.readerIndex();
        return new Failure(Messages.id(m) == AuthSpec.ID_FAILURE1, Messages.tid(m),
                m.getUnsignedByte(base + REASON), m.getUnsignedByte(base + EXPLANATION));
    }
}
