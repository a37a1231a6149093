package dev.ferry.frontend.scsi;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * SPC-4 7.6.4.6 iSCSI TransportIDs, the only kind this target produces or accepts (iSCSI is its SCSI transport).
 *
 * <pre>
 * Byte 0      FORMAT CODE(7-6) | reserved | PROTOCOL IDENTIFIER(3-0) = 5h
 * Bytes 2-3   ADDITIONAL LENGTH (n-3): a multiple of 4, at least 20
 * format 00b (initiator device):  bytes 4-n ISCSI NAME, null-terminated, null-padded
 * format 01b (initiator port):    bytes 4-n ISCSI NAME, SEPARATOR ",i,0x", ISCSI INITIATOR SESSION ID (ISID as
 *                                 12 hex digits), null-terminated, null-padded
 * </pre>
 */
final class TransportIds {
    static final int FORMAT_DEVICE = 0b00;
    static final int FORMAT_PORT = 0b01;
    static final String SEPARATOR = ",i,0x";
    static final int MIN_ADDITIONAL_LENGTH = 20;
    /** 4 header bytes and an iSCSI name of at most 223 bytes (RFC 7143 4.2.7.1) with separator, ISID and padding. */
    static final int MAX_LENGTH = 4 + 244;

    private TransportIds() {
    }

    /**
     * An initiator port as a format 01b TransportID; its SCSI initiator port name is the TransportID's text
     * ({@code <iSCSI name>,i,0x<ISID>}).
     */
    static byte[] initiatorPort(String initiatorPortName) {
        return encode(FORMAT_PORT, initiatorPortName);
    }

    /** A whole initiator device as a format 00b TransportID carrying {@code name}. */
    static byte[] initiatorDevice(String name) {
        return encode(FORMAT_DEVICE, name);
    }

    private static byte[] encode(int format, String text) {
        byte[] name = text.getBytes(StandardCharsets.UTF_8);
        int additional = Math.max(MIN_ADDITIONAL_LENGTH, (name.length + 1 + 3) & ~3);
        byte[] t = new byte[4 + additional];
        t[0] = (byte) ((format << 6) | ScsiPort.PROTOCOL_ISCSI);
        Cdb.put16(t, 2, additional);
        System.arraycopy(name, 0, t, 4, name.length);
        return t;
    }

    /** An initiator port named by a TransportID: its iSCSI name and ISID. */
    record InitiatorPort(String name, long isid) {
        String portName() {
            return name + SEPARATOR + String.format("%012x", isid);
        }
    }

    /**
     * Decodes the format 01b TransportID at {@code at} in a parameter list of {@code length} bytes. Anything else
     * (another protocol, a whole initiator device, a malformed name) is INVALID FIELD IN PARAMETER LIST pointing at
     * the TransportID: a device TransportID does not say which of the device's ports is meant.
     */
    static InitiatorPort decodePort(byte[] p, int at, int length) {
        if (length < 4 + MIN_ADDITIONAL_LENGTH) {
            throw CheckCondition.invalidFieldInParameterList(at, -1);
        }
        int format = (p[at] >>> 6) & 0x3;
        int protocol = p[at] & 0x0F;
        if (protocol != ScsiPort.PROTOCOL_ISCSI || format != FORMAT_PORT) {
            throw CheckCondition.invalidFieldInParameterList(at, -1);
        }
        int additional = Cdb.u16(p, at + 2);
        if (additional < MIN_ADDITIONAL_LENGTH || additional % 4 != 0 || 4 + additional > length) {
            throw CheckCondition.invalidFieldInParameterList(at + 2, -1);
        }
        int end = at + 4;
        while (end < at + 4 + additional && p[end] != 0) {
            end++;
        }
        String s = new String(p, at + 4, end - (at + 4), StandardCharsets.UTF_8);
        int sep = s.toLowerCase(Locale.ROOT).lastIndexOf(SEPARATOR);
        if (sep <= 0 || s.length() - sep - SEPARATOR.length() != 12) {
            throw CheckCondition.invalidFieldInParameterList(at + 4, -1);
        }
        try {
            return new InitiatorPort(s.substring(0, sep), Long.parseLong(s.substring(sep + SEPARATOR.length()), 16));
        } catch (NumberFormatException e) {
            throw CheckCondition.invalidFieldInParameterList(at + 4, -1);
        }
    }
}
