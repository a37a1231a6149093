package dev.ferry.backend.scsi;

/** SPC-4 6.11 MODE SENSE(6) of the Caching mode page (SBC-3 6.5.5), for the write cache and write protect. */
public final class ModeSense {
    public static final int OPCODE = 0x1A;
    public static final int CDB_LENGTH = 6;
    /** SBC-3 table 171: Caching mode page code 08h. */
    public static final int CACHING_PAGE = 0x08;

    private ModeSense() {
    }

    /** Table 161: 0 opcode; 1 DBD (bit 3); 2 PC (7:6, 00b current) | PAGE CODE; 3 SUBPAGE; 4 ALLOCATION LENGTH. */
    public static byte[] cdb(byte[] cdb, int page, int allocationLength) {
        Cdb16.clear(cdb);
        cdb[0] = OPCODE;
        cdb[1] = 0x08; // DBD: no block descriptors, the page follows the header
        cdb[2] = (byte) page;
        cdb[4] = (byte) allocationLength;
        return cdb;
    }

    /**
     * @param writeProtected mode parameter header (table 453) byte 2 bit 7 WP for a direct access device
     * @param writeCache     Caching page byte 2 bit 2 WCE
     */
    public record Caching(boolean writeProtected, boolean writeCache) {
        /** Header: 0 MODE DATA LENGTH, 1 medium type, 2 DEVICE-SPECIFIC PARAMETER, 3 BLOCK DESCRIPTOR LENGTH. */
        public static Caching parse(byte[] d) {
            int page = 4 + (d[3] & 0xff);
            boolean wce = (d[page] & 0x3f) == CACHING_PAGE && (d[page + 2] & 0x04) != 0;
            return new Caching((d[2] & 0x80) != 0, wce);
        }
    }
}
