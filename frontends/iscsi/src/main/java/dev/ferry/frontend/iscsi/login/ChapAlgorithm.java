package dev.ferry.frontend.iscsi.login;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The CHAP_A digest algorithms (RFC 7143 12.1.3; numbers from the IANA PPP authentication algorithm registry, as
 * LIO and open-iscsi use them). The response is H(Identifier || secret || Challenge) (RFC 1994 4.1).
 */
public enum ChapAlgorithm {
    /** RFC 7143 12.1.3: MD5 must be supported. */
    MD5(5, "MD5"),
    SHA1(6, "SHA-1"),
    SHA256(7, "SHA-256"),
    SHA3_256(8, "SHA3-256");

    private final int code;
    private final String jcaName;

    ChapAlgorithm(int code, String jcaName) {
        this.code = code;
        this.jcaName = jcaName;
    }

    /** The CHAP_A value. */
    public int code() {
        return code;
    }

    /** The algorithm's usual name ({@code MD5}, {@code SHA-256}...). */
    @Override
    public String toString() {
        return jcaName;
    }

    /** The digest's length in bytes, also the length of the challenges we send. */
    public int length() {
        return digest().getDigestLength();
    }

    /** RFC 1994 4.1: the one-octet Identifier, then the secret, then the challenge. */
    public byte[] response(int identifier, byte[] secret, byte[] challenge) {
        MessageDigest md = digest();
        md.update((byte) identifier);
        md.update(secret);
        md.update(challenge);
        return md.digest();
    }

    /** List negotiation (RFC 7143 6.2.1): the first of the initiator's CHAP_A values we support, or null. */
    public static ChapAlgorithm select(String offered) {
        for (String v : offered.split(",")) {
            Integer code = LoginNegotiator.number(v.trim(), 0, 255);
            for (ChapAlgorithm a : values()) {
                if (code != null && a.code == code) {
                    return a;
                }
            }
        }
        return null;
    }

    private MessageDigest digest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jcaName + " is a required JCA algorithm", e);
        }
    }
}
