package dev.ferry.bench.nvmeload;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The known content of every 4 KiB block of the test region, a function of the block number alone, and the CRC32C
 * each block must read back with: a read is verified by checksumming what came off the wire.
 */
final class DataPattern {
    static final int IO_SIZE = 4096;
    private final int[] crcs;

    DataPattern(int blocks) {
        crcs = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            crcs[b] = crc(content(b), 0, IO_SIZE);
        }
    }

    int blocks() {
        return crcs.length;
    }

    /** SplitMix64 over the block's word indexes: different in every block and word, cheap to regenerate. */
    static byte[] content(long block) {
        ByteBuffer b = ByteBuffer.allocate(IO_SIZE);
        for (long i = block * (IO_SIZE / 8); b.hasRemaining(); i++) {
            long z = (i + 1) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            b.putLong(z ^ (z >>> 31));
        }
        return b.array();
    }

    boolean matches(int block, byte[] data) {
        return data != null && data.length == IO_SIZE && crc(data, 0, IO_SIZE) == crcs[block];
    }

    private static int crc(byte[] data, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(data, from, length);
        return (int) c.getValue();
    }
}
