package dev.ferry.frontend.scsi;

/** SBC-3 5.16 READ CAPACITY(10) and 5.17 READ CAPACITY(16) (SERVICE ACTION IN(16), service action 10h). */
final class ReadCapacity {
    private ReadCapacity() {
    }

    /**
     * <pre>
     * CDB:  bytes 2-5 LOGICAL BLOCK ADDRESS (obsolete with PMI) | byte 8 bit 0 PMI
     * data: bytes 0-3 RETURNED LOGICAL BLOCK ADDRESS (FFFFFFFFh when it does not fit) | bytes 4-7 BLOCK LENGTH
     * </pre>
     */
    static void readCapacity10(ScsiCommand c) {
        boolean pmi = (c.cdb[8] & 0x01) != 0;
        if (!pmi && Cdb.u32(c.cdb, 2) != 0) {
            throw CheckCondition.invalidFieldInCdb(2, -1); // SBC-3 5.16: LBA must be zero when PMI is zero
        }
        long last = c.lu.capacity() - 1;
        byte[] data = new byte[8];
        Cdb.put32(data, 0, last >= 0xFFFF_FFFFL ? 0xFFFF_FFFFL : last);
        Cdb.put32(data, 4, c.lu.blockSize());
        c.dataIn(data, data.length);
    }

    /**
     * <pre>
     * CDB:  bytes 2-9 LBA (obsolete) | bytes 10-13 ALLOCATION LENGTH | byte 14 bit 0 PMI (obsolete)
     * data: bytes 0-7  RETURNED LOGICAL BLOCK ADDRESS
     *       bytes 8-11 LOGICAL BLOCK LENGTH IN BYTES
     *       byte 12    P_TYPE(3-1) PROT_EN(0) = 0: no protection information
     *       byte 13    P_I_EXPONENT(7-4) | LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT(3-0)
     *       byte 14    LBPME(7) LBPRZ(6) | LOWEST ALIGNED LBA (13-8)
     *       byte 15    LOWEST ALIGNED LBA (7-0)
     *       bytes 16-31 reserved
     * </pre>
     */
    static void readCapacity16(ScsiCommand c) {
        long allocationLength = Cdb.u32(c.cdb, 10);
        LunContext lu = c.lu;
        byte[] data = new byte[32];
        Cdb.put64(data, 0, lu.capacity() - 1);
        Cdb.put32(data, 8, lu.blockSize());
        data[13] = (byte) (lu.descriptor.physicalPerLogicalExponent() & 0x0F);
        int b14 = 0;
        if (lu.descriptor.discard()) {
            b14 |= 0x80; // LBPME: logical block provisioning management enabled (UNMAP, WRITE SAME with UNMAP)
            if (lu.descriptor.discardZeroes()) {
                b14 |= 0x40; // LBPRZ: unmapped blocks read as zeroes
            }
        }
        data[14] = (byte) b14;
        c.dataIn(data, (int) Math.min(allocationLength, data.length));
    }
}
