package dev.ferry.backend.ata;

/**
 * DATA SET MANAGEMENT TRIM payload (ACS-3 7.5.3.2, table 36): 512-byte blocks of 64 LBA Range Entries, each 8
 * bytes little-endian with LBA in bits 47:0 and RANGE LENGTH (sectors, at most 65535) in bits 63:48. Entries
 * with length 0 are ignored, so a zero-filled tail pads the last block.
 */
public final class TrimRanges {
    public static final int ENTRY = 8;
    public static final int BLOCK = 512;
    public static final int ENTRIES_PER_BLOCK = BLOCK / ENTRY;
    public static final int MAX_RANGE = 0xFFFF;

    private TrimRanges() {
    }

    public static void entry(byte[] list, int index, long lba, int sectors) {
        long v = (lba & 0xFFFF_FFFF_FFFFL) | ((long) sectors << 48);
        for (int i = 0; i < ENTRY; i++) {
            list[index * ENTRY + i] = (byte) (v >>> (8 * i));
        }
    }

    /** 512-byte blocks needed for {@code entries} entries. */
    public static int blocks(int entries) {
        return (entries + ENTRIES_PER_BLOCK - 1) / ENTRIES_PER_BLOCK;
    }
}
