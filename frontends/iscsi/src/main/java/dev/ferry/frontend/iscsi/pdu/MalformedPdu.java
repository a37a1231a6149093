package dev.ferry.frontend.iscsi.pdu;

/**
 * A PDU the decoder consumed but could not accept (framing intact, content wrong): the connection answers it with a
 * Reject carrying {@code bhs}.
 *
 * @param reason RFC 7143 11.17.1 Reject reason
 * @param bhs    the 48-byte header of the offending PDU
 * @param detail what was wrong, for the log
 */
public record MalformedPdu(int reason, byte[] bhs, String detail) {
    public int opcode() {
        return bhs[0] & 0x3f;
    }
}
