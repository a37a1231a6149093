package dev.ferry.backend.scsi;

/** SBC-3 5.28 UNMAP: a 10-byte CDB and a parameter list of block descriptors. */
public final class Unmap {
    public static final int OPCODE = 0x42;
    public static final int CDB_LENGTH = 10;
    /** Table 95: the parameter list header is 8 bytes, each UNMAP block descriptor 16 (table 96). */
    public static final int HEADER = 8;
    public static final int DESCRIPTOR = 16;

    private Unmap() {
    }

    /** Table 94: 0 opcode; 1 ANCHOR; 6 group; 7-8 PARAMETER LIST LENGTH; 9 control. */
    public static byte[] cdb(byte[] cdb, int parameterListLength) {
        Cdb16.clear(cdb);
        cdb[0] = OPCODE;
        BigEndian.put16(cdb, 7, parameterListLength);
        return cdb;
    }

    /**
     * Writes the header for {@code count} descriptors: 0-1 UNMAP DATA LENGTH (bytes that follow it), 2-3 UNMAP
     * BLOCK DESCRIPTOR DATA LENGTH, 4-7 reserved. Returns the parameter list length.
     */
    public static int header(byte[] list, int count) {
        int descriptors = count * DESCRIPTOR;
        BigEndian.put16(list, 0, descriptors + HEADER - 2);
        BigEndian.put16(list, 2, descriptors);
        BigEndian.put32(list, 4, 0);
        return HEADER + descriptors;
    }

    /** Descriptor {@code index}: 0-7 UNMAP LOGICAL BLOCK ADDRESS, 8-11 NUMBER OF LOGICAL BLOCKS, 12-15 reserved. */
    public static void descriptor(byte[] list, int index, long lba, int blocks) {
        int at = HEADER + index * DESCRIPTOR;
        BigEndian.put64(list, at, lba);
        BigEndian.put32(list, at + 8, blocks & 0xffffffffL);
        BigEndian.put32(list, at + 12, 0);
    }
}
