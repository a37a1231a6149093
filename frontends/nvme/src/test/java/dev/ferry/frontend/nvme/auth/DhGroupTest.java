package dev.ferry.frontend.nvme.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Map;
import javax.crypto.KeyAgreement;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPublicKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The RFC 7919 primes are checked against their definition (computing e independently of the stored hex), and the
 * DH exchange, padding included, against the JDK's own DH KeyAgreement.
 */
class DhGroupTest {
    /** RFC 7919 Appendix A: the X of each group. */
    static final Map<DhGroup, Integer> X = Map.of(DhGroup.FFDHE2048, 560316, DhGroup.FFDHE3072, 2625351,
            DhGroup.FFDHE4096, 5736041, DhGroup.FFDHE6144, 15705020, DhGroup.FFDHE8192, 10965728);

    /** floor(e * 2^bits), from the series sum 1/k! with 64 guard bits. */
    static BigInteger eScaled(int bits) {
        BigInteger scale = BigInteger.ONE.shiftLeft(bits + 64);
        BigInteger term = scale;
        BigInteger sum = BigInteger.ZERO;
        for (int k = 1; term.signum() > 0; k++) {
            sum = sum.add(term);
            term = term.divide(BigInteger.valueOf(k));
        }
        return sum.shiftRight(64);
    }

    @Test
    void primesFollowTheirDefinitionAndAreSafe() {
        for (var e : X.entrySet()) {
            DhGroup g = e.getKey();
            int b = g.valueLength() * 8;
            BigInteger p = BigInteger.ONE.shiftLeft(b).subtract(BigInteger.ONE.shiftLeft(b - 64))
                    .add(eScaled(b - 130).add(BigInteger.valueOf(e.getValue())).shiftLeft(64))
                    .subtract(BigInteger.ONE);
            assertEquals(p, g.prime(), g + " is RFC 7919's");
            BigInteger q = p.shiftRight(1);
            // Fermat for p, and 2 generating the order-q subgroup, as only a safe prime with p = 7 mod 8 allows
            assertEquals(BigInteger.ONE, BigInteger.TWO.modPow(p.subtract(BigInteger.ONE), p), g + " prime");
            assertEquals(BigInteger.ONE, BigInteger.TWO.modPow(q, p), g + " safe prime subgroup");
        }
        assertEquals(0, DhGroup.NULL.valueLength());
    }

    @Test
    void exchangeAgreesWithTheJdk() throws Exception {
        SecureRandom random = new SecureRandom();
        for (DhGroup g : new DhGroup[] {DhGroup.FFDHE2048, DhGroup.FFDHE3072}) {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("DH");
            kpg.initialize(new DHParameterSpec(g.prime(), BigInteger.TWO), random);
            KeyPair jdk = kpg.generateKeyPair();
            BigInteger x = g.newPrivate(random);
            byte[] ours = g.publicValue(x);
            assertEquals(g.valueLength(), ours.length);
            KeyAgreement ka = KeyAgreement.getInstance("DH");
            ka.init(jdk.getPrivate());
            ka.doPhase(KeyFactory.getInstance("DH").generatePublic(
                    new DHPublicKeySpec(new BigInteger(1, ours), g.prime(), BigInteger.TWO)), true);
            byte[] jdkSecret = ka.generateSecret();
            byte[] jdkPublic = pad(((DHPublicKey) jdk.getPublic()).getY(), g.valueLength());
            assertArrayEquals(jdkSecret, g.sharedSecret(x, jdkPublic), g + " shared secret, padded alike");
        }
    }

    @Test
    void refusesDegeneratePeerValues() {
        DhGroup g = DhGroup.FFDHE2048;
        BigInteger x = g.newPrivate(new SecureRandom());
        int n = g.valueLength();
        assertNull(g.sharedSecret(x, pad(BigInteger.ONE, n)), "1 forces the secret 1");
        assertNull(g.sharedSecret(x, pad(g.prime().subtract(BigInteger.ONE), n)), "p-1 forces +-1");
        assertNull(g.sharedSecret(x, pad(g.prime(), n)), "p is outside the group");
        assertNull(g.sharedSecret(x, new byte[n - 1]), "short value");
    }

    static byte[] pad(BigInteger v, int n) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[n];
        int len = Math.min(b.length, n);
        System.arraycopy(b, b.length - len, out, n - len, len);
        return out;
    }
}
