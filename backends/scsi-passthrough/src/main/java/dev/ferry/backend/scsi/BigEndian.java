package dev.ferry.backend.scsi;

/** SCSI fields are big-endian (SPC-4 3.5.2); these read and write them in byte arrays. */
public final class BigEndian {
    private BigEndian() {
    }

    public static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    public static void put32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    public static void put64(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    public static int get16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static long get32(byte[] b, int at) {
        return ((long) get16(b, at) << 16) | get16(b, at + 2);
    }

    public static long get64(byte[] b, int at) {
        return (get32(b, at) << 32) | get32(b, at + 4);
    }
}
