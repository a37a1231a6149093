package dev.ferry.frontend.nvme.auth;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * The DH-HMAC-CHAP Diffie-Hellman groups by identifier (NVMe Base 2.0 8.13.5): 00h the null group (no DH
 * exchange) and 01h-05h the RFC 7919 groups ffdhe2048 to ffdhe8192, generator 2. DH values travel as big-endian
 * numbers padded to the prime's length, as Linux (crypto kpp) and SPDK (OpenSSL with DH padding) send them.
 */
public enum DhGroup {
    NULL(0x00, null),
    FFDHE2048(0x01, Ffdhe.P2048),
    FFDHE3072(0x02, Ffdhe.P3072),
    FFDHE4096(0x03, Ffdhe.P4096),
    FFDHE6144(0x04, Ffdhe.P6144),
    FFDHE8192(0x05, Ffdhe.P8192);

    private static final BigInteger G = BigInteger.TWO;
    /**
     * Private exponent bits: RFC 7919 5.2 asks for at least twice the group's security strength (ffdhe8192: 192
     * bits); the groups are safe primes, so a short exponent loses nothing and keeps modPow affordable.
     */
    private static final int PRIVATE_BITS = 512;

    private final int id;
    private final BigInteger p;

    DhGroup(int id, String primeHex) {
        this.id = id;
        this.p = primeHex == null ? null : new BigInteger(primeHex, 16);
    }

    public int id() { return id; }
    /** The prime, or null for the null group. */
    BigInteger prime() { return p; }
    /** Length of a DH value in bytes: the prime's; 0 for the null group. */
    public int valueLength() { return p == null ? 0 : (p.bitLength() + 7) / 8; }

    /** The group with this identifier, or null. */
    public static DhGroup of(int id) {
        for (DhGroup g : values()) {
            if (g.id == id) {
                return g;
            }
        }
        return null;
    }

    /** A fresh private exponent. */
    public BigInteger newPrivate(SecureRandom random) {
        BigInteger x;
        do {
            x = new BigInteger(PRIVATE_BITS, random);
        } while (x.bitLength() < PRIVATE_BITS - 8);
        return x;
    }

    /** g^x mod p, padded. */
    public byte[] publicValue(BigInteger x) {
        return pad(G.modPow(x, p));
    }

    /**
     * The shared secret (g^y)^x mod p, padded, or null when the peer's value is not one: not exactly the prime's
     * length, or outside 2..p-2 (RFC 7919 5.1, which rules out the values that force a known secret).
     */
    public byte[] sharedSecret(BigInteger x, byte[] peer) {
        if (peer.length != valueLength()) {
            return null;
        }
        BigInteger y = new BigInteger(1, peer);
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(p.subtract(BigInteger.ONE)) >= 0) {
            return null;
        }
        return pad(y.modPow(x, p));
    }

    private byte[] pad(BigInteger v) {
        byte[] b = v.toByteArray();
        int n = valueLength();
        if (b.length == n) {
            return b;
        }
        byte[] out = new byte[n];
        if (b.length > n) { // a leading sign byte
            System.arraycopy(b, b.length - n, out, 0, n);
        } else {
            System.arraycopy(b, 0, out, n - b.length, b.length);
        }
        return out;
    }

    @Override
    public String toString() {
        return this == NULL ? "null" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
