package dev.ferry.frontend.nvme.auth;

import io.netty.buffer.ByteBuf;

/**
 * AUTH_Negotiate, host to controller (Base 2.0 8.13): header, SC_C, NAPD, then NAPD protocol descriptors of 64 bytes;
 * a DH-HMAC-CHAP descriptor lists HALEN hash ids and DHLEN DH group ids in two 30-byte lists.
 *
 * @param hashIds    the hash ids the host offers
 * @param dhGroupIds the DH group ids the host offers
 */
public record Negotiate(int tid, int scC, byte[] hashIds, byte[] dhGroupIds) {
    // Message (bytes 0-7 header)
    static final int SC_C = 6;
    static final int NAPD = 7;
    static final int DESCRIPTORS = 8;
    static final int DESCRIPTOR_SIZE = 64;
    // Protocol descriptor
    static final int D_AUTHID = 0;
    static final int D_HALEN = 2;
    static final int D_DHLEN = 3;
    static final int D_HASH_IDS = 4;
    static final int D_DH_IDS = 34;
    static final int ID_LIST_SIZE = 30;

    /** Parses a host's message (header already read as AUTH_Negotiate). */
    static Negotiate decode(ByteBuf m) throws AuthFailure {
        int length = m.readableBytes();
        Messages.check(length >= DESCRIPTORS, "AUTH_Negotiate shorter than its header");
        int base = m.readerIndex();
        int napd = m.getUnsignedByte(base + NAPD);
        Messages.check(length == DESCRIPTORS + napd * DESCRIPTOR_SIZE, "AUTH_Negotiate length disagrees with NAPD");
        for (int i = 0; i < napd; i++) {
            int d = base + DESCRIPTORS + i * DESCRIPTOR_SIZE;
            if (m.getUnsignedByte(d + D_AUTHID) != AuthSpec.AUTHID_DHCHAP) {
                continue;
            }
            int halen = m.getUnsignedByte(d + D_HALEN);
            int dhlen = m.getUnsignedByte(d + D_DHLEN);
            Messages.check(halen <= ID_LIST_SIZE && dhlen <= ID_LIST_SIZE, "HALEN or DHLEN beyond its list");
            return new Negotiate(Messages.tid(m), m.getUnsignedByte(base + SC_C),
                    Messages.bytes(m, DESCRIPTORS + i * DESCRIPTOR_SIZE + D_HASH_IDS, halen),
                    Messages.bytes(m, DESCRIPTORS + i * DESCRIPTOR_SIZE + D_DH_IDS, dhlen));
        }
        throw new AuthFailure(AuthSpec.EXPLANATION_PROTOCOL_UNUSABLE, "no DH-HMAC-CHAP protocol descriptor");
    }

    /** The host's message with one DH-HMAC-CHAP descriptor. */
    public ByteBuf encode() {
        ByteBuf m = Messages.header(DESCRIPTORS + DESCRIPTOR_SIZE, AuthSpec.TYPE_COMMON, AuthSpec.ID_NEGOTIATE, tid);
        m.setByte(SC_C, scC);
        m.setByte(NAPD, 1);
        m.setByte(DESCRIPTORS + D_AUTHID, AuthSpec.AUTHID_DHCHAP);
        m.setByte(DESCRIPTORS + D_HALEN, hashIds.length);
        m.setByte(DESCRIPTORS + D_DHLEN, dhGroupIds.length);
        m.setBytes(DESCRIPTORS + D_HASH_IDS, hashIds);
        m.setBytes(DESCRIPTORS + D_DH_IDS, dhGroupIds);
        return m;
    }
}
