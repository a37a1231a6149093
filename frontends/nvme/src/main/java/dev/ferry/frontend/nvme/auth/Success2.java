package dev.ferry.frontend.nvme.auth;

import io.netty.buffer.ByteBuf;

/** DH-HMAC-CHAP_Success2, host to controller (Base 2.0 8.13): a 16-byte message, the header and reserved bytes. */
public record Success2(int tid) {
    static final int SIZE = 16;

    static Success2 decode(ByteBuf m) throws AuthFailure {
        Messages.check(m.readableBytes() == SIZE, "success2 is not 16 bytes");
        return new Success2(Messages.tid(m));
    }

    public ByteBuf encode() {
        return Messages.header(SIZE, AuthSpec.TYPE_DHCHAP, AuthSpec.ID_SUCCESS2, tid);
    }
}
