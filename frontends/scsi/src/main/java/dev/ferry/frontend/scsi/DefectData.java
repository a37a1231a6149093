package dev.ferry.frontend.scsi;

/**
 * SBC-3 5.13/5.14 READ DEFECT DATA(10)/(12). A logical unit over a backend has no medium defects of its own (the
 * backend remaps or fails), so both the primary and the grown list are truthfully empty. An empty list is the same
 * in every address descriptor format, so the requested REQ_PLIST, REQ_GLIST and DEFECT LIST FORMAT are echoed;
 * only the reserved format 111b is an invalid field.
 *
 * <pre>
 * (10) CDB:  byte 2 REQ_PLIST(4) REQ_GLIST(3) DEFECT LIST FORMAT(2-0) | bytes 7-8 ALLOCATION LENGTH
 *      data: byte 1 the same bits | bytes 2-3 DEFECT LIST LENGTH = 0
 * (12) CDB:  byte 1 REQ_PLIST REQ_GLIST FORMAT | bytes 2-5 ADDRESS DESCRIPTOR INDEX | bytes 6-9 ALLOCATION LENGTH
 *      data: byte 1 the same bits | bytes 2-3 GENERATION CODE = 0 | bytes 4-7 DEFECT LIST LENGTH = 0
 * </pre>
 */
final class DefectData {
    /** SBC-3 Table 60 (DEFECT LIST FORMAT): 111b is reserved. */
    static final int RESERVED_FORMAT = 0b111;

    private DefectData() {
    }

    static void read10(ScsiCommand c) {
        byte[] data = new byte[4];
        data[1] = (byte) request(c.cdb, 2);
        c.dataIn(data, Math.min(Cdb.u16(c.cdb, 7), data.length));
    }

    static void read12(ScsiCommand c) {
        byte[] data = new byte[8];
        data[1] = (byte) request(c.cdb, 1);
        c.dataIn(data, (int) Math.min(Cdb.u32(c.cdb, 6), data.length));
    }

    /** The REQ_PLIST, REQ_GLIST and DEFECT LIST FORMAT bits of CDB byte {@code at}, checked. */
    private static int request(byte[] cdb, int at) {
        int bits = cdb[at] & 0x1F;
        if ((bits & 0x07) == RESERVED_FORMAT) {
            throw CheckCondition.invalidFieldInCdb(at, 2);
        }
        return bits;
    }
}
