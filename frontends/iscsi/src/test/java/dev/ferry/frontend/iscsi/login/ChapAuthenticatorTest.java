package dev.ferry.frontend.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.InitiatorAccess.ChapCredentials;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CHAP exchange of RFC 7143 12.1.3, with responses computed here straight from RFC 1994 4.1. */
class ChapAuthenticatorTest {
    static final ChapCredentials INITIATOR = new ChapCredentials("alice", bytes("initiator-secret-1"));
    static final ChapCredentials TARGET = new ChapCredentials("ferry", bytes("target-secret-22"));

    final ChapAuthenticator chap = new ChapAuthenticator(INITIATOR, TARGET, new Random(7));
    final List<Map.Entry<String, String>> response = new ArrayList<>();

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<Map.Entry<String, String>> keys(String... kv) {
        List<Map.Entry<String, String>> l = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            l.add(Map.entry(kv[i], kv[i + 1]));
        }
        return l;
    }

    String get(String key) {
        return response.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    static byte[] md5(int id, byte[] secret, byte[] challenge) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update((byte) id);
        md.update(secret);
        return md.digest(challenge);
    }

    /** Runs CHAP_A=5 and returns the MD5 response a correct initiator would send. */
    byte[] challenged() throws Exception {
        assertFalse(chap.step(keys(), response), "nothing to do before CHAP_A");
        assertFalse(chap.step(keys("CHAP_A", "5"), response));
        assertEquals("5", get("CHAP_A"));
        int id = Integer.parseInt(get("CHAP_I"));
        assertTrue(id >= 0 && id <= 255);
        assertTrue(get("CHAP_C").startsWith("0x"));
        byte[] challenge = HexFormat.of().parseHex(get("CHAP_C").substring(2));
        assertTrue(challenge.length >= 16, "challenge of " + challenge.length + " bytes");
        response.clear();
        return md5(id, INITIATOR.secret(), challenge);
    }

    int fails(List<Map.Entry<String, String>> keys) {
        return assertThrows(LoginException.class, () -> chap.step(keys, response)).status();
    }

    @Test
    void oneWay() throws Exception {
        byte[] r = challenged();
        assertTrue(chap.step(keys("CHAP_N", "alice", "CHAP_R", "0x" + HexFormat.of().formatHex(r)), response));
        assertTrue(response.isEmpty(), "no mutual answer unless asked");
        assertEquals("CHAP/MD5", chap.describe());
    }

    @Test
    void base64AndUpperCaseHexResponses() throws Exception {
        byte[] r = challenged();
        assertTrue(chap.step(keys("CHAP_N", "alice", "CHAP_R", "0b" + Base64.getEncoder().encodeToString(r)), response));
        ChapAuthenticator other = new ChapAuthenticator(INITIATOR, null, new Random(7));
        other.step(keys("CHAP_A", "5"), new ArrayList<>());
        assertTrue(other.step(keys("CHAP_N", "alice", "CHAP_R", "0X" + HexFormat.of().withUpperCase().formatHex(r)),
                new ArrayList<>()), "same seed, same challenge");
    }

    @Test
    void wrongSecretUserOrEncodingIsAnAuthenticationFailure() throws Exception {
        byte[] r = challenged();
        byte[] wrong = r.clone();
        wrong[0] ^= 1;
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE,
                fails(keys("CHAP_N", "alice", "CHAP_R", "0x" + HexFormat.of().formatHex(wrong))));
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE,
                fails(keys("CHAP_N", "mallory", "CHAP_R", "0x" + HexFormat.of().formatHex(r))));
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, fails(keys("CHAP_N", "alice", "CHAP_R", "0x" + "00".repeat(1025))));
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, fails(keys("CHAP_N", "alice", "CHAP_R", "garbage")));
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, fails(keys("CHAP_N", "alice")));
    }

    @Test
    void failureMessagesNeverCarryTheResponse() throws Exception {
        byte[] r = challenged();
        r[0] ^= 1;
        String hex = HexFormat.of().formatHex(r);
        LoginException e = assertThrows(LoginException.class,
                () -> chap.step(keys("CHAP_N", "alice", "CHAP_R", "0x" + hex), response));
        assertFalse(e.getMessage().contains(hex));
        assertFalse(e.getMessage().contains("initiator-secret-1"));
    }

    @Test
    void mutualAnswerIsTheKnownAnswer() throws Exception {
        byte[] r = challenged();
        // Python hashlib: md5(bytes([200]) + b"target-secret-22" + b"\xff" * 16)
        String expected = "0xe0c21fc2c0973cf48b62d2f92e74b40e";
        assertTrue(chap.step(keys("CHAP_N", "alice", "CHAP_R", "0x" + HexFormat.of().formatHex(r),
                "CHAP_I", "200", "CHAP_C", "0x" + "ff".repeat(16)), response));
        assertEquals("ferry", get("CHAP_N"));
        assertEquals(expected, get("CHAP_R"));
        assertEquals("CHAP/MD5+mutual", chap.describe());
    }

    @Test
    void mutualRefusals() throws Exception {
        byte[] r = challenged();
        String ok = "0x" + HexFormat.of().formatHex(r);
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, fails(keys("CHAP_N", "alice", "CHAP_R", ok, "CHAP_I", "1")),
                "CHAP_I without CHAP_C");
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, fails(keys("CHAP_N", "alice", "CHAP_R", ok,
                "CHAP_I", "256", "CHAP_C", "0x01")), "identifier out of range");
        assertTrue(response.isEmpty(), "nothing answered");

        ChapAuthenticator noMutual = new ChapAuthenticator(INITIATOR, null, new Random(7));
        noMutual.step(keys("CHAP_A", "5"), new ArrayList<>());
        assertThrows(LoginException.class, () -> noMutual.step(keys("CHAP_N", "alice", "CHAP_R", ok,
                "CHAP_I", "1", "CHAP_C", "0x0102030405060708090a0b0c0d0e0f10"), response), "no mutual credentials");
    }

    @Test
    void shortOrOverlongInitiatorChallengesAreRefused() throws Exception {
        String ok = "0x" + HexFormat.of().formatHex(challenged());
        for (String c : List.of("0x01", "0x" + "ab".repeat(ChapAuthenticator.MIN_INITIATOR_CHALLENGE - 1),
                "0b" + Base64.getEncoder().encodeToString(new byte[8]), "0x" + "ab".repeat(1025))) {
            LoginException e = assertThrows(LoginException.class,
                    () -> chap.step(keys("CHAP_N", "alice", "CHAP_R", ok, "CHAP_I", "9", "CHAP_C", c), response), c);
            assertEquals(LoginPdu.AUTHENTICATION_FAILURE, e.status());
            assertTrue(response.isEmpty(), "no CHAP_R computed over a short challenge");
        }
        // The shortest accepted one is answered.
        chap.step(keys("CHAP_N", "alice", "CHAP_R", ok, "CHAP_I", "9",
                "CHAP_C", "0x" + "ab".repeat(ChapAuthenticator.MIN_INITIATOR_CHALLENGE)), response);
        assertEquals("ferry", get("CHAP_N"));
    }

    @Test
    void reflectedChallengeIsRefused() throws Exception {
        assertFalse(chap.step(keys("CHAP_A", "5"), response));
        int id = Integer.parseInt(get("CHAP_I"));
        String ours = get("CHAP_C");
        byte[] r = md5(id, INITIATOR.secret(), HexFormat.of().parseHex(ours.substring(2)));
        response.clear();
        LoginException e = assertThrows(LoginException.class, () -> chap.step(keys("CHAP_N", "alice",
                "CHAP_R", "0x" + HexFormat.of().formatHex(r), "CHAP_I", "9", "CHAP_C", ours.toUpperCase().replace("0X", "0x")),
                response));
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, e.status());
        assertTrue(e.getMessage().contains("reflection"));
        assertTrue(response.isEmpty());
    }

    @Test
    void wrongResponseGetsNoMutualAnswer() throws Exception {
        challenged();
        assertThrows(LoginException.class, () -> chap.step(keys("CHAP_N", "alice", "CHAP_R", "0x" + "00".repeat(16),
                "CHAP_I", "3", "CHAP_C", "0x" + "ab".repeat(16)), response));
        assertTrue(response.isEmpty(), "RFC 7143 12.1.3: no answer to an initiator that failed to authenticate");
    }

    @Test
    void exchangeOrderAndAlgorithms() throws Exception {
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, fails(keys("CHAP_N", "alice", "CHAP_R", "0x00")),
                "a response before any challenge");
        ChapAuthenticator c = new ChapAuthenticator(INITIATOR, null, new Random(1));
        assertThrows(LoginException.class, () -> c.step(keys("CHAP_A", "1,2"), response), "no supported algorithm");
        ChapAuthenticator sha = new ChapAuthenticator(INITIATOR, null, new Random(1));
        sha.step(keys("CHAP_A", "7,5"), response);
        assertEquals("7", get("CHAP_A"));
        assertEquals(32, HexFormat.of().parseHex(get("CHAP_C").substring(2)).length, "SHA-256 length challenge");
    }
}
