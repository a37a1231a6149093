package dev.ferry.frontend.nvme.auth;

import io.netty.buffer.ByteBuf;

/**
 * DH-HMAC-CHAP_Challenge, controller to host (Base 2.0 8.13): header, HL, HASHID, DHGID, DHVLEN, SEQNUM, then HL bytes
 * of challenge C1 and DHVLEN bytes of the controller's DH value.
 */
public record Challenge(int tid, int hashId, int dhGroupId, long seqnum, byte[] c1, byte[] dhValue) {
    static final int HL = 6;
    static final int HASHID = 8;
    static final int DHGID = 9;
    static final int DHVLEN = 10;
    static final int SEQNUM = 12;
    static final int CVAL = 16;

    ByteBuf encode() {
        ByteBuf m = Messages.header(CVAL + c1.length + dhValue.length, AuthSpec.TYPE_DHCHAP, AuthSpec.ID_CHALLENGE,
                tid);
        m.setByte(HL, c1.length);
        m.setByte(HASHID, hashId);
        m.setByte(DHGID, dhGroupId);
        m.setShortLE(DHVLEN, dhValue.length);
        m.setIntLE(SEQNUM, (int) seqnum);
        m.setBytes(CVAL, c1);
        m.setBytes(CVAL + c1.length, dhValue);
        return m;
    }

    /** The host's view: parses a challenge, lengths checked against the message. */
    public static Challenge decode(ByteBuf m) throws AuthFailure {
        Messages.check(m.readableBytes() >= CVAL, "challenge shorter than its header");
        int base = m.readerIndex();
        int hl = m.getUnsignedByte(base + HL);
        int dhvlen = m.getUnsignedShortLE(base + DHVLEN);
        Messages.check(m.readableBytes() == CVAL + hl + dhvlen, "challenge length disagrees with HL and DHVLEN");
        return new Challenge(Messages.tid(m), m.getUnsignedByte(base + HASHID), m.getUnsignedByte(base + DHGID),
                m.getUnsignedIntLE(base + SEQNUM), Messages.bytes(m, CVAL, hl), Messages.bytes(m, CVAL + hl, dhvlen));
    }
}
