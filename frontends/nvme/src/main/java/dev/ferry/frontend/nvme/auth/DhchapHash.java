package dev.ferry.frontend.nvme.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The DH-HMAC-CHAP hash functions by identifier (NVMe Base 2.0 8.13.5: 01h SHA-256, 02h SHA-384, 03h SHA-512). */
public enum DhchapHash {
    SHA256(0x01, 32, "SHA-256", "HmacSHA256"),
    SHA384(0x02, 48, "SHA-384", "HmacSHA384"),
    SHA512(0x03, 64, "SHA-512", "HmacSHA512");

    private final int id;
    private final int length;
    private final String digest;
    private final String hmac;

    DhchapHash(int id, int length, String digest, String hmac) {
        this.id = id;
        this.length = length;
        this.digest = digest;
        this.hmac = hmac;
    }

    public int id() { return id; }
    /** Hash length in bytes: the HL of the messages, the length of challenges and responses. */
    public int length() { return length; }

    /** The hash with this identifier, or null. */
    public static DhchapHash of(int id) {
        for (DhchapHash h : values()) {
            if (h.id == id) {
                return h;
            }
        }
        return null;
    }

    public byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance(digest).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(digest + " missing from the JDK", e);
        }
    }

    /** An HMAC with this hash, keyed. */
    public Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " missing from the JDK", e);
        }
    }
}
