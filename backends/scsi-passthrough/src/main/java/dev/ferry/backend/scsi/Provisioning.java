package dev.ferry.backend.scsi;

/**
 * SBC-3 6.6.5 Logical Block Provisioning VPD page (B2h), table 185, byte 5: LBPU (bit 7, UNMAP supported),
 * LBPWS (bit 6, WRITE SAME(16) with UNMAP supported), LBPRZ (bit 2, unmapped blocks read zeroes).
 */
public record Provisioning(boolean unmap, boolean writeSameUnmap, boolean readsZeroes) {
    public static final Provisioning NONE = new Provisioning(false, false, false);

    public static Provisioning parse(byte[] page) {
        int b = page[5] & 0xff;
        return new Provisioning((b & 0x80) != 0, (b & 0x40) != 0, (b & 0x04) != 0);
    }
}
