package dev.ferry.backend.scsi;

/**
 * The 16-byte block commands of SBC-3 this backend sends, written into a caller's 16-byte array (reused per
 * worker). Each layout follows its SBC-3 table; byte numbers are in the comments.
 */
public final class Cdb16 {
    /** SBC-3 5.8 READ(16), table 52. */
    public static final int READ_16 = 0x88;
    /** SBC-3 5.36 WRITE(16), table 102. */
    public static final int WRITE_16 = 0x8A;
    /** SBC-3 5.22 SYNCHRONIZE CACHE(16), table 85. */
    public static final int SYNCHRONIZE_CACHE_16 = 0x91;
    /** SBC-3 5.44 WRITE SAME(16), table 115. */
    public static final int WRITE_SAME_16 = 0x93;
    /** SBC-3 5.16 READ CAPACITY(16): SERVICE ACTION IN(16) with service action 10h, table 64. */
    public static final int SERVICE_ACTION_IN_16 = 0x9E;
    public static final int SA_READ_CAPACITY_16 = 0x10;

    /** Byte 1 of WRITE(16): FUA, bit 3. */
    static final int FUA = 0x08;
    /** Byte 1 of WRITE SAME(16): UNMAP, bit 3. */
    static final int UNMAP = 0x08;

    public static final int LENGTH = 16;

    private Cdb16() {
    }

    /** READ(16): 0 opcode; 1 RDPROTECT|DPO|FUA|RARC; 2-9 LBA; 10-13 TRANSFER LENGTH; 14 group; 15 control. */
    public static byte[] read16(byte[] cdb, long lba, int blocks) {
        return rw(cdb, READ_16, 0, lba, blocks);
    }

    /** WRITE(16): as READ(16), with FUA in byte 1 bit 3 for a write that must be durable on completion. */
    public static byte[] write16(byte[] cdb, long lba, int blocks, boolean fua) {
        return rw(cdb, WRITE_16, fua ? FUA : 0, lba, blocks);
    }

    /** SYNCHRONIZE CACHE(16): 2-9 LBA and 10-13 NUMBER OF LOGICAL BLOCKS, both 0 = the whole medium. */
    public static byte[] synchronizeCache16(byte[] cdb) {
        return rw(cdb, SYNCHRONIZE_CACHE_16, 0, 0, 0);
    }

    /**
     * WRITE SAME(16): 1 WRPROTECT|ANCHOR|UNMAP|NDOB; 2-9 LBA; 10-13 NUMBER OF LOGICAL BLOCKS; one block of data
     * (zeroes here) is replicated, or with UNMAP the blocks may be unmapped instead when they then read zeroes.
     */
    public static byte[] writeSame16(byte[] cdb, long lba, int blocks, boolean unmap) {
        return rw(cdb, WRITE_SAME_16, unmap ? UNMAP : 0, lba, blocks);
    }

    /** READ CAPACITY(16): 1 SERVICE ACTION (10h); 10-13 ALLOCATION LENGTH; 14 PMI (0). */
    public static byte[] readCapacity16(byte[] cdb, int allocationLength) {
        clear(cdb);
        cdb[0] = (byte) SERVICE_ACTION_IN_16;
        cdb[1] = SA_READ_CAPACITY_16;
        BigEndian.put32(cdb, 10, allocationLength);
        return cdb;
    }

    private static byte[] rw(byte[] cdb, int opcode, int byte1, long lba, int blocks) {
        clear(cdb);
        cdb[0] = (byte) opcode;
        cdb[1] = (byte) byte1;
        BigEndian.put64(cdb, 2, lba);
        BigEndian.put32(cdb, 10, blocks & 0xffffffffL);
        return cdb;
    }

    static void clear(byte[] cdb) {
        java.util.Arrays.fill(cdb, 0, LENGTH, (byte) 0);
    }
}
