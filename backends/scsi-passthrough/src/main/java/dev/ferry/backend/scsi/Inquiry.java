package dev.ferry.backend.scsi;

import java.nio.charset.StandardCharsets;

/** SPC-4 6.6 INQUIRY: the CDB, the standard data (6.6.2) and the identification VPD pages (7.8). */
public final class Inquiry {
    public static final int OPCODE = 0x12;
    public static final int CDB_LENGTH = 6;
    /** SPC-4 7.8 VPD page codes, and SBC-3 6.6 for the block device ones. */
    public static final int VPD_UNIT_SERIAL_NUMBER = 0x80;
    public static final int VPD_DEVICE_IDENTIFICATION = 0x83;
    public static final int VPD_BLOCK_LIMITS = 0xB0;
    public static final int VPD_BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
    public static final int VPD_LOGICAL_BLOCK_PROVISIONING = 0xB2;
    /** SPC-4 table 138 PERIPHERAL DEVICE TYPE 00h: direct access block device. */
    public static final int DIRECT_ACCESS_BLOCK_DEVICE = 0x00;
    /** SPC-4 7.8.6.1 designator types and code set. */
    static final int DESIGNATOR_NAA = 0x3;
    static final int DESIGNATOR_EUI64 = 0x2;
    static final int DESIGNATOR_T10_VENDOR_ID = 0x1;
    static final int ASSOCIATION_LOGICAL_UNIT = 0x0;

    private Inquiry() {
    }

    /** Table 142: 0 opcode; 1 EVPD (bit 0); 2 PAGE CODE; 3-4 ALLOCATION LENGTH; 5 control. */
    public static byte[] cdb(byte[] cdb, boolean evpd, int page, int allocationLength) {
        Cdb16.clear(cdb);
        cdb[0] = OPCODE;
        cdb[1] = (byte) (evpd ? 1 : 0);
        cdb[2] = (byte) page;
        BigEndian.put16(cdb, 3, allocationLength);
        return cdb;
    }

    /**
     * Standard INQUIRY data, table 144: byte 0 bits 4:0 PERIPHERAL DEVICE TYPE; 8-15 T10 VENDOR IDENTIFICATION;
     * 16-31 PRODUCT IDENTIFICATION; 32-35 PRODUCT REVISION LEVEL.
     */
    public record Standard(int peripheralType, String vendor, String product, String revision) {
        public static Standard parse(byte[] d) {
            return new Standard(d[0] & 0x1f, ascii(d, 8, 8), ascii(d, 16, 16), ascii(d, 32, 4));
        }
    }

    /** VPD page 80h, table 626: 2-3 PAGE LENGTH, then the PRODUCT SERIAL NUMBER. */
    public static String unitSerial(byte[] page) {
        return ascii(page, 4, Math.min(BigEndian.get16(page, 2), page.length - 4));
    }

    /**
     * The logical unit's NAA (else EUI-64 as hex, else T10 vendor ID as text) designator from VPD page 83h, or ""
     * (SPC-4 7.8.6: designation
     * descriptors from byte 4; each has 1 bits 5:4 ASSOCIATION and 3:0 DESIGNATOR TYPE, 3 length, 4.. designator).
     */
    public static String logicalUnitDesignator(byte[] page) {
        int end = Math.min(4 + BigEndian.get16(page, 2), page.length);
        String eui = "";
        String t10 = "";
        for (int at = 4; at + 4 <= end; at += 4 + (page[at + 3] & 0xff)) {
            int association = (page[at + 1] >> 4) & 0x3;
            int type = page[at + 1] & 0xf;
            int len = Math.min(page[at + 3] & 0xff, end - at - 4);
            if (association != ASSOCIATION_LOGICAL_UNIT) {
                continue;
            }
            String hex = java.util.HexFormat.of().formatHex(page, at + 4, at + 4 + len);
            if (type == DESIGNATOR_NAA) {
                return "naa." + hex;
            }
            if (type == DESIGNATOR_EUI64 && eui.isEmpty()) {
                eui = "eui." + hex;
            }
            if (type == DESIGNATOR_T10_VENDOR_ID && t10.isEmpty()) {
                t10 = "t10." + ascii(page, at + 4, len).replaceAll(" +", " ");
            }
        }
        return !eui.isEmpty() ? eui : t10;
    }

    /** VPD page B1h (SBC-3 6.6.2, table 181): 4-5 MEDIUM ROTATION RATE, 1 = non-rotating, 0 = not reported. */
    public static boolean rotational(byte[] page) {
        return BigEndian.get16(page, 4) > 1;
    }

    static String ascii(byte[] d, int at, int len) {
        return new String(d, at, Math.max(0, len), StandardCharsets.US_ASCII).replace('\0', ' ').trim();
    }
}
