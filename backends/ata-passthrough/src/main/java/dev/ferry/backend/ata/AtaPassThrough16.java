package dev.ferry.backend.ata;

/**
 * SAT-3 12.2.2.3 ATA PASS-THROUGH(16) (opcode 85h), table 160, carrying one 48-bit ATA taskfile:
 * <pre>
 *  byte 0   OPERATION CODE (85h)
 *  byte 1   MULTIPLE_COUNT (7:5) | PROTOCOL (4:1) | EXTEND (0)
 *  byte 2   OFF_LINE (7:6) | CK_COND (5) | T_TYPE (4) | T_DIR (3) | BYT_BLOK (2) | T_LENGTH (1:0)
 *  byte 3,4 FEATURES (15:8), FEATURES (7:0)
 *  byte 5,6 COUNT (15:8), COUNT (7:0)
 *  byte 7,8 LBA (31:24), LBA (7:0)
 *  byte 9,10 LBA (39:32), LBA (15:8)
 *  byte 11,12 LBA (47:40), LBA (23:16)
 *  byte 13  DEVICE
 *  byte 14  COMMAND
 *  byte 15  CONTROL
 * </pre>
 */
public final class AtaPassThrough16 {
    public static final int OPCODE = 0x85;
    public static final int LENGTH = 16;

    /** SAT-3 table 161 PROTOCOL field. */
    public static final int PROTOCOL_NON_DATA = 3;
    public static final int PROTOCOL_PIO_DATA_IN = 4;
    public static final int PROTOCOL_DMA = 6;

    /** Byte 2 bits. */
    static final int CK_COND = 0x20;
    /** T_TYPE 1: the transfer length counts logical sectors, 0: 512-byte units. */
    static final int T_TYPE_SECTORS = 0x10;
    /** T_DIR 1: from the device. */
    static final int T_DIR_IN = 0x08;
    /** BYT_BLOK 1: the transfer length counts blocks, not bytes. */
    static final int BYT_BLOK = 0x04;
    /** T_LENGTH 10b: the transfer length is in the COUNT field. */
    static final int T_LENGTH_COUNT = 0x02;

    /** ACS-3 command codes (table 30 and the command clauses). */
    public static final int DATA_SET_MANAGEMENT = 0x06;
    public static final int READ_DMA_EXT = 0x25;
    public static final int WRITE_DMA_EXT = 0x35;
    public static final int WRITE_DMA_FUA_EXT = 0x3D;
    public static final int FLUSH_CACHE_EXT = 0xEA;
    public static final int IDENTIFY_DEVICE = 0xEC;
    /** ACS-3 7.5: DATA SET MANAGEMENT FEATURE bit 0, TRIM. */
    public static final int DSM_TRIM = 0x0001;
    /** DEVICE bit 6: the LBA field holds a logical block address (ACS-3 READ DMA EXT and the like). */
    public static final int DEVICE_LBA = 0x40;

    private AtaPassThrough16() {
    }

    /** IDENTIFY DEVICE (ACS-3 7.12): PIO data-in of one 512-byte block. */
    public static byte[] identifyDevice(byte[] cdb) {
        return taskfile(cdb, PROTOCOL_PIO_DATA_IN, false, T_DIR_IN | BYT_BLOK | T_LENGTH_COUNT,
                0, 1, 0, 0, IDENTIFY_DEVICE);
    }

    /** READ DMA EXT (ACS-3 7.22): {@code sectors} logical sectors at {@code lba}; 1-65535 here (0 would mean 65536). */
    public static byte[] readDmaExt(byte[] cdb, long lba, int sectors) {
        return taskfile(cdb, PROTOCOL_DMA, true, T_DIR_IN | BYT_BLOK | T_TYPE_SECTORS | T_LENGTH_COUNT,
                0, sectors, lba, DEVICE_LBA, READ_DMA_EXT);
    }

    /** WRITE DMA EXT (ACS-3 7.58), or WRITE DMA FUA EXT (7.59) which completes only once the data is durable. */
    public static byte[] writeDmaExt(byte[] cdb, long lba, int sectors, boolean fua) {
        return taskfile(cdb, PROTOCOL_DMA, true, BYT_BLOK | T_TYPE_SECTORS | T_LENGTH_COUNT,
                0, sectors, lba, DEVICE_LBA, fua ? WRITE_DMA_FUA_EXT : WRITE_DMA_EXT);
    }

    /** FLUSH CACHE EXT (ACS-3 7.11): non-data. */
    public static byte[] flushCacheExt(byte[] cdb) {
        return taskfile(cdb, PROTOCOL_NON_DATA, true, 0, 0, 0, 0, 0, FLUSH_CACHE_EXT);
    }

    /** DATA SET MANAGEMENT with TRIM (ACS-3 7.5): DMA data-out of {@code blocks} 512-byte blocks of ranges. */
    public static byte[] dataSetManagementTrim(byte[] cdb, int blocks) {
        return taskfile(cdb, PROTOCOL_DMA, true, BYT_BLOK | T_LENGTH_COUNT, DSM_TRIM, blocks, 0, DEVICE_LBA,
                DATA_SET_MANAGEMENT);
    }

    /** Fills the 16 bytes per table 160. {@code transfer} is byte 2 (CK_COND, T_TYPE, T_DIR, BYT_BLOK, T_LENGTH). */
    static byte[] taskfile(byte[] cdb, int protocol, boolean extend, int transfer, int features, int count, long lba,
            int device, int command) {
        java.util.Arrays.fill(cdb, 0, LENGTH, (byte) 0);
        cdb[0] = (byte) OPCODE;
        cdb[1] = (byte) ((protocol << 1) | (extend ? 1 : 0));
        cdb[2] = (byte) transfer;
        cdb[3] = (byte) (features >>> 8);
        cdb[4] = (byte) features;
        cdb[5] = (byte) (count >>> 8);
        cdb[6] = (byte) count;
        cdb[7] = (byte) (lba >>> 24);
        cdb[8] = (byte) lba;
        cdb[9] = (byte) (lba >>> 32);
        cdb[10] = (byte) (lba >>> 8);
        cdb[11] = (byte) (lba >>> 40);
        cdb[12] = (byte) (lba >>> 16);
        cdb[13] = (byte) device;
        cdb[14] = (byte) command;
        return cdb;
    }
}
