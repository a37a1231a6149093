package dev.ferry.frontend.nvme.auth;

import dev.ferry.core.config.DhchapKey;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;

/**
 * The DH-HMAC-CHAP computations (NVMe Base 2.0 8.13.5; the secret representation 8.13.5.8), byte for byte as the
 * Linux host and nvmet make them (drivers/nvme/common/auth.c, host/auth.c):
 * <ul>
 * <li>transformed key Kt = HMAC(K, NQN || "NVMe-over-Fabrics") with the key's own hash; K itself for hash id 00;
 * <li>augmented challenge Ca = HMAC(H(g^xy mod p), C) with the negotiated hash (DH groups other than null);
 * <li>response = HMAC(Kt, C || seqnum (LE32) || T_ID (LE16) || SC_C (00h) || role || NQN1 || 00h || NQN2), with role
 * "HostHost", NQN1 the host's and NQN2 the subsystem's for the host's response, and "Controller" with the NQNs the
 * other way round for the controller's.
 * </ul>
 */
public final class DhchapCrypto {
    private static final byte[] TRANSFORM_SUFFIX = "NVMe-over-Fabrics".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST_ROLE = "HostHost".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTROLLER_ROLE = "Controller".getBytes(StandardCharsets.US_ASCII);

    private DhchapCrypto() {
    }

    /** Kt: the key transformed for one NQN (the host's NQN for the host key, the subsystem's for the controller's). */
    public static byte[] transformKey(DhchapKey key, String nqn) {
        DhchapHash h = DhchapHash.of(key.hashId());
        if (h == null) {
            return key.key().clone();
        }
        Mac mac = h.hmac(key.key());
        mac.update(nqn.getBytes(StandardCharsets.UTF_8));
        return mac.doFinal(TRANSFORM_SUFFIX);
    }

    /** Ca = HMAC(H(session key), C). */
    public static byte[] augmentedChallenge(DhchapHash h, byte[] sessionKey, byte[] challenge) {
        return h.hmac(h.digest(sessionKey)).doFinal(challenge);
    }

    /**
     * The host's response to challenge C1 with sequence number S1. {@code sessionKey} is g^xy mod p, or null for
     * the null DH group (the challenge is then used as it is).
     */
    public static byte[] hostResponse(DhchapHash h, DhchapKey hostKey, String hostNqn, String subsystemNqn,
                                      byte[] c1, long s1, int tid, byte[] sessionKey) {
        return response(h, transformKey(hostKey, hostNqn), challenge(h, c1, sessionKey), s1, tid, HOST_ROLE,
                hostNqn, subsystemNqn);
    }

    /** The controller's response to the host's challenge C2 with sequence number S2 (bidirectional). */
    public static byte[] controllerResponse(DhchapHash h, DhchapKey controllerKey, String subsystemNqn,
                                            String hostNqn, byte[] c2, long s2, int tid, byte[] sessionKey) {
        return response(h, transformKey(controllerKey, subsystemNqn), challenge(h, c2, sessionKey), s2, tid,
                CONTROLLER_ROLE, subsystemNqn, hostNqn);
    }

    private static byte[] challenge(DhchapHash h, byte[] c, byte[] sessionKey) {
        return sessionKey == null ? c : augmentedChallenge(h, sessionKey, c);
    }

    private static byte[] response(DhchapHash h, byte[] transformedKey, byte[] challenge, long seqnum, int tid,
                                   byte[] role, String nqn1, String nqn2) {
        Mac mac = h.hmac(transformedKey);
        mac.update(challenge);
        mac.update(new byte[] {(byte) seqnum, (byte) (seqnum >>> 8), (byte) (seqnum >>> 16), (byte) (seqnum >>> 24)});
        mac.update(new byte[] {(byte) tid, (byte) (tid >>> 8)});
        mac.update((byte) 0); // SC_C: no secure channel concatenation
        mac.update(role);
        mac.update(nqn1.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(nqn2.getBytes(StandardCharsets.UTF_8));
        return mac.doFinal();
    }
}
