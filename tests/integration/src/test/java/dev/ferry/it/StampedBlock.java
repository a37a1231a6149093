package dev.ferry.it;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The self-describing 512-byte block the durability tests write: which write put it there and where, so that a
 * read tells a lost write (an older sequence number), a misdirected one (another LBA) and a torn one (a bad
 * checksum) apart.
 *
 * <pre>
 * bytes 0-7     sequence number of the write (from 1; a never-written block is all zeroes)
 * bytes 8-15    LBA the block was written to
 * bytes 16-507  filler derived from both
 * bytes 508-511 CRC32C of bytes 0-507
 * </pre>
 */
final class StampedBlock {
    static final int SIZE = 512;
    private static final int CRC_AT = SIZE - 4;

    /** What a read found in one block. */
    record Found(long seq, boolean intact, boolean blank, long lba) {
    }

    private StampedBlock() {
    }

    /** {@code blocks} stamped blocks written by write {@code seq} at {@code lba}. */
    static byte[] of(long seq, long lba, int blocks) {
        byte[] all = new byte[blocks * SIZE];
        for (int i = 0; i < blocks; i++) {
            ByteBuffer b = ByteBuffer.wrap(all, i * SIZE, SIZE).slice();
            b.putLong(0, seq).putLong(8, lba + i);
            SplittableRandom filler = new SplittableRandom(seq * 31 + lba + i);
            for (int at = 16; at < CRC_AT; at += 4) {
                b.putInt(at, filler.nextInt());
            }
            b.putInt(CRC_AT, crc(all, i * SIZE));
        }
        return all;
    }

    /** Decodes block {@code index} of {@code data}. */
    static Found read(byte[] data, int index) {
        int from = index * SIZE;
        ByteBuffer b = ByteBuffer.wrap(data, from, SIZE).slice();
        boolean blank = true;
        for (int i = from; i < from + SIZE && blank; i++) {
            blank = data[i] == 0;
        }
        return new Found(b.getLong(0), !blank && b.getInt(CRC_AT) == crc(data, from), blank, b.getLong(8));
    }

    private static int crc(byte[] data, int from) {
        CRC32C c = new CRC32C();
        c.update(data, from, CRC_AT);
        return (int) c.getValue();
    }
}
