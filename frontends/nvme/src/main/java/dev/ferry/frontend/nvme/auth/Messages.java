package dev.ferry.frontend.nvme.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** What every authentication message shares: the 8-byte header (AUTH-Type, AUTH-ID, T_ID) and byte fields. */
final class Messages {
    private Messages() {
    }

    /** A zeroed message of {@code length} bytes with its header filled in. */
    static ByteBuf header(int length, int type, int id, int tid) {
        ByteBuf m = Unpooled.buffer(length, length);
        m.writeZero(length);
        m.setByte(AuthSpec.AUTH_TYPE, type);
        m.setByte(AuthSpec.AUTH_ID, id);
        m.setShortLE(AuthSpec.T_ID, tid);
        return m;
    }

    static int type(ByteBuf m) { return m.getUnsignedByte(m.readerIndex() + AuthSpec.AUTH_TYPE); }
    static int id(ByteBuf m) { return m.getUnsignedByte(m.readerIndex() + AuthSpec.AUTH_ID); }
    static int tid(ByteBuf m) { return m.getUnsignedShortLE(m.readerIndex() + AuthSpec.T_ID); }

    static byte[] bytes(ByteBuf m, int offset, int length) {
        byte[] b = new byte[length];
        m.getBytes(m.readerIndex() + offset, b);
        return b;
    }

    static void check(boolean ok, String why) throws AuthFailure {
        if (!ok) {
            throw new AuthFailure(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, why);
        }
    }
}
