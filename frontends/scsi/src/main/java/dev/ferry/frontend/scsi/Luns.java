package dev.ferry.frontend.scsi;

/**
 * SAM-5 4.7 LUN field encoding for single-level LUNs, the only kind this target has.
 *
 * <pre>
 * first level (bytes 0-1 of the 8-byte LUN field; bytes 2-7 zero):
 *   00b peripheral device addressing (4.7.7.2): byte 0 = 00b | BUS IDENTIFIER (0), byte 1 = LUN 0-255
 *   01b flat space addressing (4.7.7.4):        LUN 0-16383 in the low 14 bits
 *   11b extended logical unit addressing:      C1h 01h = REPORT LUNS well-known logical unit (SPC-4 8.2)
 * </pre>
 */
public final class Luns {
    /** Decoded value for a LUN field that addresses nothing this target can have. */
    public static final long INVALID = -1;
    /** Decoded value for the REPORT LUNS well-known logical unit. */
    public static final long REPORT_LUNS_WLUN = -2;
    /** SPC-4 8.2: REPORT LUNS well known logical unit, W-LUN 01h, as the first two bytes. */
    public static final int REPORT_LUNS_WLUN_ADDRESS = 0xC101;

    private Luns() {
    }

    /** The LUN number addressed by a 64-bit SAM LUN field, or {@link #INVALID} / {@link #REPORT_LUNS_WLUN}. */
    public static long decode(long lunField) {
        if ((lunField & 0x0000_FFFF_FFFF_FFFFL) != 0) {
            return INVALID; // a second or further level: hierarchical addressing is not used here
        }
        int first = (int) (lunField >>> 48) & 0xFFFF;
        return switch (first >>> 14) {
            case 0b00 -> (first & 0x3F00) != 0 ? INVALID : first & 0xFF; // BUS IDENTIFIER must be zero
            case 0b01 -> first & 0x3FFF;
            case 0b11 -> first == REPORT_LUNS_WLUN_ADDRESS ? REPORT_LUNS_WLUN : INVALID;
            default -> INVALID;
        };
    }

    /** The 8-byte LUN field for LUN {@code n}: peripheral addressing below 256, flat addressing above (as Linux). */
    public static long encode(long n) {
        if (n < 0 || n > 0x3FFF) {
            throw new IllegalArgumentException("single-level LUNs are 0-16383: " + n);
        }
        long first = n < 256 ? n : (0x4000 | n);
        return first << 48;
    }
}
