package dev.ferry.it;

import java.nio.ByteBuffer;

/** The SBC-4 CDBs the fault and crash tests send. */
final class Cdb {
    static final int READ_16 = 0x88;
    static final int WRITE_16 = 0x8A;
    static final int SYNCHRONIZE_CACHE_10 = 0x35;
    /** SBC-4 5.40: FUA, bit 3 of byte 1 of WRITE (16). */
    static final int FUA = 0x08;

    private Cdb() {
    }

    static byte[] read16(long lba, int blocks) {
        return rw16(READ_16, 0, lba, blocks);
    }

    static byte[] write16(long lba, int blocks, boolean fua) {
        return rw16(WRITE_16, fua ? FUA : 0, lba, blocks);
    }

    /** SBC-4 5.26: the whole medium (LBA 0, 0 blocks). */
    static byte[] synchronizeCache() {
        byte[] c = new byte[16];
        c[0] = SYNCHRONIZE_CACHE_10;
        return c;
    }

    private static byte[] rw16(int op, int flags, long lba, int blocks) {
        return ByteBuffer.allocate(16).put((byte) op).put((byte) flags).putLong(lba).putInt(blocks).array();
    }
}
