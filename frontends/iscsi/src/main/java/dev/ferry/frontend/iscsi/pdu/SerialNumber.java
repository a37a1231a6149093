package dev.ferry.frontend.iscsi.pdu;

/** 32-bit serial number arithmetic (RFC 1982) as RFC 7143 4.2.2.1 requires for CmdSN, StatSN, DataSN. */
public final class SerialNumber {
    private SerialNumber() {
    }

    /** s1 &lt; s2 in serial arithmetic (undefined for distance exactly 2^31, treated as false). */
    public static boolean lt(int s1, int s2) {
        return s1 != s2 && (s2 - s1) > 0;
    }

    public static boolean gt(int s1, int s2) {
        return lt(s2, s1);
    }

    public static boolean le(int s1, int s2) {
        return s1 == s2 || lt(s1, s2);
    }

    public static boolean ge(int s1, int s2) {
        return s1 == s2 || gt(s1, s2);
    }

    /** Whether {@code s} lies in the window [lo, hi] (inclusive) in serial arithmetic. */
    public static boolean inWindow(int s, int lo, int hi) {
        return ge(s, lo) && le(s, hi);
    }
}
