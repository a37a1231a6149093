package dev.ferry.backend.scsi;

/**
 * Decoded sense data (SPC-4 4.5), whatever its format.
 *
 * @param responseCode 70h/71h fixed (current/deferred), 72h/73h descriptor
 * @param key          SENSE KEY (SPC-4 table 27)
 * @param asc          ADDITIONAL SENSE CODE
 * @param ascq         ADDITIONAL SENSE CODE QUALIFIER
 * @param information  the INFORMATION field when valid (often the failing LBA), else -1
 * @param raw          the sense bytes as returned, for format-specific fields (e.g. ATA PASS-THROUGH results)
 */
public record Sense(int responseCode, int key, int asc, int ascq, long information, byte[] raw) {
    /** SPC-4 table 27 sense keys. */
    public static final int NO_SENSE = 0x0;
    public static final int RECOVERED_ERROR = 0x1;
    public static final int NOT_READY = 0x2;
    public static final int MEDIUM_ERROR = 0x3;
    public static final int HARDWARE_ERROR = 0x4;
    public static final int ILLEGAL_REQUEST = 0x5;
    public static final int UNIT_ATTENTION = 0x6;
    public static final int DATA_PROTECT = 0x7;
    public static final int ABORTED_COMMAND = 0xB;
    public static final int MISCOMPARE = 0xE;

    public boolean descriptorFormat() {
        return (responseCode & 0x7e) == 0x72;
    }

    /**
     * The first sense data descriptor of {@code type} (SPC-4 4.5.2.1: descriptors start at byte 8, each with
     * 0 DESCRIPTOR TYPE and 1 ADDITIONAL LENGTH), as offset into {@link #raw()}, or -1.
     */
    public int descriptor(int type) {
        if (!descriptorFormat()) {
            return -1;
        }
        int end = Math.min(raw.length, 8 + (raw[7] & 0xff));
        for (int at = 8; at + 2 <= end; at += 2 + (raw[at + 1] & 0xff)) {
            if ((raw[at] & 0xff) == type) {
                return at;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return String.format("sense key %Xh ASC/ASCQ %02Xh/%02Xh", key, asc, ascq);
    }
}
