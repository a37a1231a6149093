package dev.ferry.frontend.nvme.auth;

import io.netty.buffer.ByteBuf;

/**
 * DH-HMAC-CHAP_Reply, host to controller (Base 2.0 8.13): header, HL, CVALID, DHVLEN, SEQNUM (S2), then HL bytes of
 * the response, HL bytes of challenge C2 (meaningful when CVALID says the host wants the controller to
 * authenticate too) and DHVLEN bytes of the host's DH value.
 */
public record Reply(int tid, byte[] response, boolean cvalid, long seqnum, byte[] c2, byte[] dhValue) {
    static final int HL = 6;
    static final int CVALID = 8;
    static final int DHVLEN = 10;
    static final int SEQNUM = 12;
    static final int RVAL = 16;

    /** Parses a host's reply for the negotiated hash and group: every length is checked before it is used. */
    static Reply decode(ByteBuf m, DhchapHash hash, DhGroup group) throws AuthFailure {
        Messages.check(m.readableBytes() >= RVAL, "reply shorter than its header");
        int base = m.readerIndex();
        int hl = m.getUnsignedByte(base + HL);
        int dhvlen = m.getUnsignedShortLE(base + DHVLEN);
        int cvalid = m.getUnsignedByte(base + CVALID);
        long seqnum = m.getUnsignedIntLE(base + SEQNUM);
        Messages.check(hl == hash.length(), "HL is not the negotiated hash's length");
        Messages.check(dhvlen == group.valueLength(), "DHVLEN is not the negotiated group's value length");
        Messages.check(m.readableBytes() == RVAL + 2 * hl + dhvlen, "reply length disagrees with HL and DHVLEN");
        Messages.check(cvalid <= 1, "CVALID neither 0 nor 1");
        Messages.check(cvalid == 0 || seqnum != 0, "S2 is 0 with CVALID set");
        return new Reply(Messages.tid(m), Messages.bytes(m, RVAL, hl), cvalid == 1, seqnum,
                Messages.bytes(m, RVAL + hl, hl), Messages.bytes(m, RVAL + 2 * hl, dhvlen));
    }

    public ByteBuf encode() {
        int hl = response.length;
        ByteBuf m = Messages.header(RVAL + 2 * hl + dhValue.length, AuthSpec.TYPE_DHCHAP, AuthSpec.ID_REPLY, tid);
        m.setByte(HL, hl);
        m.setByte(CVALID, cvalid ? 1 : 0);
        m.setShortLE(DHVLEN, dhValue.length);
        m.setIntLE(SEQNUM, (int) seqnum);
        m.setBytes(RVAL, response);
        m.setBytes(RVAL + hl, c2);
        m.setBytes(RVAL + 2 * hl, dhValue);
        return m;
    }
}
