package dev.ferry.backend.scsi;

/**
 * READ CAPACITY(16) parameter data, SBC-3 5.16.2 table 66.
 *
 * @param lastLba                   0-7 RETURNED LOGICAL BLOCK ADDRESS (the last LBA)
 * @param blockLength               8-11 LOGICAL BLOCK LENGTH IN BYTES
 * @param physicalPerLogicalExponent 13 bits 3:0 LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
 * @param provisioned               14 bit 7 LBPME: thin provisioning is enabled
 * @param readsZeroes               14 bit 6 LBPRZ: unmapped blocks read zeroes
 */
public record Capacity16(long lastLba, int blockLength, int physicalPerLogicalExponent, boolean provisioned,
        boolean readsZeroes) {
    public static final int LENGTH = 32;

    public static Capacity16 parse(byte[] d) {
        return new Capacity16(BigEndian.get64(d, 0), (int) BigEndian.get32(d, 8), d[13] & 0x0f,
                (d[14] & 0x80) != 0, (d[14] & 0x40) != 0);
    }

    public long blocks() {
        return lastLba + 1;
    }
}
