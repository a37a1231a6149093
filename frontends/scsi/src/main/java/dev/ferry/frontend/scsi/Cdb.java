package dev.ferry.frontend.scsi;

/** Big-endian field access into CDBs and parameter lists, plus the CDB length rule of SPC-4 4.2.5.1. */
final class Cdb {
    private Cdb() {
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xFF;
    }

    static int u16(byte[] b, int at) {
        return (u8(b, at) << 8) | u8(b, at + 1);
    }

    static int u24(byte[] b, int at) {
        return (u8(b, at) << 16) | u16(b, at + 1);
    }

    static long u32(byte[] b, int at) {
        return ((long) u8(b, at) << 24) | (u8(b, at + 1) << 16) | (u8(b, at + 2) << 8) | u8(b, at + 3);
    }

    /** 64-bit field; values with the top bit set come back negative (they are beyond every capacity anyway). */
    static long u64(byte[] b, int at) {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void put64(byte[] b, int at, long v) {
        put32(b, at, v >>> 32);
        put32(b, at + 4, v);
    }

    /** Copies {@code s} left-aligned into {@code len} bytes padded with spaces (SPC-4 4.4.1 ASCII fields). */
    static void putAscii(byte[] b, int at, int len, String s) {
        for (int i = 0; i < len; i++) {
            char c = s != null && i < s.length() ? s.charAt(i) : ' ';
            b[at + i] = (byte) (c >= 0x20 && c < 0x7F ? c : ' ');
        }
    }

    /** SPC-4 4.2.5.1: the GROUP CODE (top three bits of the opcode) gives the CDB length; -1 if vendor/reserved. */
    static int length(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> -1;
        };
    }
}
