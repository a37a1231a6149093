package dev.ferry.backend.scsi;

/** The 10-byte SBC-3 commands used as fallbacks for devices without the 16-byte form. */
public final class Cdb10 {
    /** SBC-3 5.21 SYNCHRONIZE CACHE(10), table 84; QEMU's scsi-hd, for one, has no (16) variant. */
    public static final int SYNCHRONIZE_CACHE_10 = 0x35;
    public static final int LENGTH = 10;

    private Cdb10() {
    }

    /** 0 opcode; 1 IMMED (bit 1, 0: wait); 2-5 LBA; 6 group; 7-8 NUMBER OF LOGICAL BLOCKS (0 = to the end); 9 control. */
    public static byte[] synchronizeCache10(byte[] cdb) {
        Cdb16.clear(cdb);
        cdb[0] = SYNCHRONIZE_CACHE_10;
        return cdb;
    }
}
