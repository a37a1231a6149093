package dev.ferry.frontend.iscsi.login;

import static dev.ferry.frontend.iscsi.pdu.LoginPdu.AUTHENTICATION_FAILURE;

import dev.ferry.core.unit.InitiatorAccess.ChapCredentials;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * AuthMethod=CHAP for one login (RFC 7143 12.1.3, RFC 1994). Two round trips after AuthMethod was chosen:
 * <ol>
 *   <li>the initiator offers {@code CHAP_A}; we pick an algorithm and send {@code CHAP_A}, {@code CHAP_I} and
 *       {@code CHAP_C};</li>
 *   <li>it answers {@code CHAP_N} and {@code CHAP_R}, and for mutual CHAP adds its own {@code CHAP_I} and
 *       {@code CHAP_C}, which we answer with our {@code CHAP_N} and {@code CHAP_R} once its response checked out.</li>
 * </ol>
 * Every failure is {@code AUTHENTICATION_FAILURE} (02/01); no message carries a secret, challenge or response.
 */
public final class ChapAuthenticator implements Authenticator {
    /** Our challenges are the digest's length, and never under 16 bytes (MD5's length, what LIO sends). */
    private static final int MIN_CHALLENGE = 16;
    /**
     * The shortest initiator challenge (mutual CHAP) we answer: a short CHAP_C lets an eavesdropper collect our
     * responses to a handful of challenges and replay them, so it must carry as much randomness as ours.
     */
    static final int MIN_INITIATOR_CHALLENGE = MIN_CHALLENGE;
    private static final Set<String> FIRST_KEYS = Set.of("CHAP_A");
    private static final Set<String> SECOND_KEYS = Set.of("CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C");

    private enum State { AWAIT_ALGORITHM, AWAIT_RESPONSE, DONE }

    private final ChapCredentials initiator;
    private final ChapCredentials target;
    private final Random random;
    private State state = State.AWAIT_ALGORITHM;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;
    private boolean mutual;

    /**
     * @param initiator what the initiator must prove
     * @param target    what we prove when the initiator asks (mutual CHAP), or null to refuse mutual CHAP
     * @param random    source of identifiers and challenges (a SecureRandom outside tests)
     */
    public ChapAuthenticator(ChapCredentials initiator, ChapCredentials target, Random random) {
        this.initiator = initiator;
        this.target = target;
        this.random = random;
    }

    @Override
    public String method() {
        return "CHAP";
    }

    @Override
    public String describe() {
        return algorithm == null ? "CHAP" : "CHAP/" + algorithm + (mutual ? "+mutual" : "");
    }

    @Override
    public boolean step(List<Map.Entry<String, String>> keys, List<Map.Entry<String, String>> response)
            throws LoginException {
        Map<String, String> k = new HashMap<>();
        keys.forEach(e -> k.put(e.getKey(), e.getValue()));
        switch (state) {
            case AWAIT_ALGORITHM -> {
                if (k.isEmpty()) {
                    return false; // the request that only chose AuthMethod
                }
                expectOnly(k, FIRST_KEYS);
                String offered = k.get("CHAP_A");
                algorithm = ChapAlgorithm.select(offered);
                if (algorithm == null) {
                    throw fail("no supported algorithm in CHAP_A=" + offered);
                }
                identifier = random.nextInt(256);
                challenge = new byte[Math.max(MIN_CHALLENGE, algorithm.length())];
                random.nextBytes(challenge);
                response.add(Map.entry("CHAP_A", Integer.toString(algorithm.code())));
                response.add(Map.entry("CHAP_I", Integer.toString(identifier)));
                response.add(Map.entry("CHAP_C", ChapValueCodec.encode(challenge)));
                state = State.AWAIT_RESPONSE;
                return false;
            }
            case AWAIT_RESPONSE -> {
                expectOnly(k, SECOND_KEYS);
                verifyInitiator(k.get("CHAP_N"), k.get("CHAP_R"));
                if (k.containsKey("CHAP_I") || k.containsKey("CHAP_C")) {
                    answerMutual(k.get("CHAP_I"), k.get("CHAP_C"), response);
                }
                state = State.DONE;
                return true;
            }
            default -> {
                if (!k.isEmpty()) {
                    throw fail("CHAP keys after authentication completed");
                }
                return true;
            }
        }
    }

    private void verifyInitiator(String name, String encodedResponse) throws LoginException {
        if (name == null || encodedResponse == null) {
            throw fail("CHAP_N and CHAP_R expected");
        }
        byte[] got = decode("CHAP_R", encodedResponse);
        byte[] expected = algorithm.response(identifier, initiator.secret(), challenge);
        // Both checks always run, and the digest comparison is constant-time: no timing hint of which failed.
        boolean userOk = name.equals(initiator.user());
        boolean responseOk = MessageDigest.isEqual(expected, got);
        if (!userOk) {
            throw fail("CHAP_N '" + name + "' is not the configured CHAP user");
        }
        if (!responseOk) {
            throw fail("CHAP_R does not match (wrong secret) for CHAP user '" + name + "'");
        }
    }

    /** Mutual CHAP: RFC 7143 12.1.3, answered only after the initiator proved itself. */
    private void answerMutual(String id, String encodedChallenge, List<Map.Entry<String, String>> response)
            throws LoginException {
        if (id == null || encodedChallenge == null) {
            throw fail("mutual CHAP needs both CHAP_I and CHAP_C");
        }
        if (target == null) {
            throw fail("the initiator asked for mutual CHAP but no mutualChapUser is configured for it");
        }
        Integer i = LoginNegotiator.number(id, 0, 255);
        if (i == null) {
            throw fail("CHAP_I is not a number 0-255");
        }
        byte[] c = decode("CHAP_C", encodedChallenge);
        // The codec already refused more than 1024 bytes (RFC 7143 12.1.3).
        if (c.length < MIN_INITIATOR_CHALLENGE) {
            throw fail("CHAP_C of " + c.length + " bytes, under the " + MIN_INITIATOR_CHALLENGE + " required");
        }
        if (MessageDigest.isEqual(c, challenge)) {
            // RFC 7143 12.1.3: an initiator reflecting our own challenge could make us compute its response.
            throw fail("the initiator's CHAP_C is the challenge we sent (reflection)");
        }
        response.add(Map.entry("CHAP_N", target.user()));
        response.add(Map.entry("CHAP_R", ChapValueCodec.encode(algorithm.response(i, target.secret(), c))));
        mutual = true;
    }

    private static void expectOnly(Map<String, String> keys, Set<String> allowed) throws LoginException {
        for (String key : keys.keySet()) {
            if (!allowed.contains(key)) {
                throw fail(key + " is not expected at this point of the CHAP exchange");
            }
        }
    }

    private static byte[] decode(String key, String value) throws LoginException {
        try {
            return ChapValueCodec.decode(value);
        } catch (IllegalArgumentException e) {
            throw fail(key + ": " + e.getMessage());
        }
    }

    private static LoginException fail(String why) {
        return new LoginException(AUTHENTICATION_FAILURE, "CHAP: " + why);
    }
}
