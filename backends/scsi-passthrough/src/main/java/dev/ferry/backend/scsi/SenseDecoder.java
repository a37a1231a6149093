package dev.ferry.backend.scsi;

import java.util.Arrays;

/** Decodes fixed-format (SPC-4 4.5.3) and descriptor-format (SPC-4 4.5.2) sense data. */
public final class SenseDecoder {
    /** SPC-4 4.5.2.2: Information sense data descriptor type. */
    static final int INFORMATION_DESCRIPTOR = 0x00;

    private SenseDecoder() {
    }

    /** @return the decoded sense, or null when {@code length} bytes hold no usable sense data */
    public static Sense decode(byte[] b, int length) {
        if (length < 8) {
            return null;
        }
        byte[] raw = Arrays.copyOf(b, length);
        int code = raw[0] & 0x7f;
        return switch (code) {
            case 0x70, 0x71 -> fixed(raw, code);
            case 0x72, 0x73 -> descriptor(raw, code);
            default -> null;
        };
    }

    /**
     * Table 48: 0 VALID (bit 7) | RESPONSE CODE; 2 bits 3:0 SENSE KEY; 3-6 INFORMATION; 7 ADDITIONAL SENSE LENGTH;
     * 8-11 COMMAND-SPECIFIC INFORMATION; 12 ASC; 13 ASCQ.
     */
    private static Sense fixed(byte[] raw, int code) {
        int asc = raw.length > 12 ? raw[12] & 0xff : 0;
        int ascq = raw.length > 13 ? raw[13] & 0xff : 0;
        long info = (raw[0] & 0x80) != 0 ? BigEndian.get32(raw, 3) : -1;
        return new Sense(code, raw[2] & 0x0f, asc, ascq, info, raw);
    }

    /** Table 14: 1 bits 3:0 SENSE KEY; 2 ASC; 3 ASCQ; 7 ADDITIONAL SENSE LENGTH; descriptors from 8. */
    private static Sense descriptor(byte[] raw, int code) {
        Sense s = new Sense(code, raw[1] & 0x0f, raw[2] & 0xff, raw[3] & 0xff, -1, raw);
        int at = s.descriptor(INFORMATION_DESCRIPTOR);
        // Table 17: 0 type 00h; 1 ADDITIONAL LENGTH 0Ah; 2 VALID (bit 7); 4-11 INFORMATION
        if (at >= 0 && at + 12 <= raw.length && (raw[at + 2] & 0x80) != 0) {
            return new Sense(code, s.key(), s.asc(), s.ascq(), BigEndian.get64(raw, at + 4), raw);
        }
        return s;
    }
}
