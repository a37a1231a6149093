package dev.ferry.frontend.nvme.auth;

import io.netty.buffer.ByteBuf;

/**
 * DH-HMAC-CHAP_Success1, controller to host (Base 2.0 8.13): header, HL, RVALID, then HL bytes of the controller's
 * response (zeros unless RVALID). HL is always the hash length: the Linux host checks it even without RVALID.
 *
 * @param response the controller's response, or null when the host did not ask for it
 */
public record Success1(int tid, int hl, byte[] response) {
    static final int HL = 6;
    static final int RVALID = 8;
    static final int RVAL = 16;

    ByteBuf encode() {
        ByteBuf m = Messages.header(RVAL + hl, AuthSpec.TYPE_DHCHAP, AuthSpec.ID_SUCCESS1, tid);
        m.setByte(HL, hl);
        if (response != null) {
            m.setByte(RVALID, 1);
            m.setBytes(RVAL, response);
        }
        return m;
    }

    public static Success1 decode(ByteBuf m) throws AuthFailure {
        Messages.check(m.readableBytes() >= RVAL, "success1 shorter than its header");
        int hl = m.getUnsignedByte(m.readerIndex() + HL);
        Messages.check(m.readableBytes() == RVAL + hl, "success1 length disagrees with HL");
        boolean rvalid = m.getUnsignedByte(m.readerIndex() + RVALID) == 1;
        return new Success1(Messages.tid(m), hl, rvalid ? Messages.bytes(m, RVAL, hl) : null);
    }
}
