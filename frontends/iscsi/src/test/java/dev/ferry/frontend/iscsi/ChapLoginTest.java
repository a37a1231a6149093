package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.InitiatorAccess.ChapCredentials;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.login.TextKeys;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.TextPdu;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CHAP logins over real TCP (RFC 7143 12.1.3), the initiator side written here from RFC 1994: one-way, wrong
 * secret, mutual, reflected challenge, and what initiators outside the ACL see.
 */
class ChapLoginTest {
    static final String TARGET = "iqn.2026-11.dev.ferry:chap";
    static final String INITIATOR = "iqn.2026-11.dev.ferry:chap-client";
    static final String STRANGER = "iqn.2026-11.dev.ferry:stranger";
    static final byte[] SECRET = "initiator-secret-1".getBytes(StandardCharsets.UTF_8);
    static final byte[] TARGET_SECRET = "target-secret-22".getBytes(StandardCharsets.UTF_8);

    IscsiFrontend frontend;
    InetSocketAddress address;
    LogCapture log;

    @BeforeEach
    void start() throws Exception {
        UnitRegistry registry = new UnitRegistry();
        List<Portal> portals = List.of(new Portal("127.0.0.1", 0));
        InitiatorAccess access = new InitiatorAccess(INITIATOR, new ChapCredentials("alice", SECRET),
                new ChapCredentials("ferry", TARGET_SECRET), null);
        registry.replace(Map.of(), List.of(
                new Export(TARGET, "iscsi", null, portals, new TreeMap<>(), List.of(access), false),
                new Export(TestTargets.TARGET, "iscsi", null, portals, new TreeMap<>(), Set.of(), true)));
        log = new LogCapture();
        frontend = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, 30, e -> new FakeCommandSet());
        frontend.start();
        address = frontend.boundAddresses().get(0);
    }

    @AfterEach
    void stop() {
        frontend.close();
        log.close();
    }

    static byte[] md5(int id, byte[] secret, byte[] challenge) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update((byte) id);
        md.update(secret);
        return md.digest(challenge);
    }

    static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    /** The target's CHAP_I and CHAP_C after AuthMethod=CHAP and CHAP_A=5. */
    record Challenge(int id, byte[] challenge, String encoded) {
    }

    Challenge challenge(IscsiTestClient c) throws Exception {
        Map<String, String> first = new LinkedHashMap<>();
        first.put("InitiatorName", INITIATOR);
        first.put("SessionType", "Normal");
        first.put("TargetName", TARGET);
        first.put("AuthMethod", "CHAP,None");
        IscsiPdu r = c.loginStep(LoginPdu.stageFlags(true, false, 0, 1), first);
        assertEquals(0, LoginPdu.status(r));
        assertEquals("CHAP", IscsiTestClient.keys(r).get("AuthMethod"));
        assertFalse(LoginPdu.transit(r), "no transit before authentication");
        r = c.loginStep(LoginPdu.stageFlags(false, false, 0, 0), Map.of("CHAP_A", "5"));
        assertEquals(0, LoginPdu.status(r));
        Map<String, String> k = IscsiTestClient.keys(r);
        assertEquals("5", k.get("CHAP_A"));
        String c0 = k.get("CHAP_C");
        return new Challenge(Integer.parseInt(k.get("CHAP_I")), HexFormat.of().parseHex(c0.substring(2)), c0);
    }

    /** Sends CHAP_N/CHAP_R (plus mutual keys) with T=1 to the operational stage. */
    IscsiPdu answer(IscsiTestClient c, String user, byte[] response, Map<String, String> mutual) throws Exception {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("CHAP_N", user);
        k.put("CHAP_R", hex(response));
        k.putAll(mutual);
        return c.loginStep(LoginPdu.stageFlags(true, false, 0, 1), k);
    }

    void toFullFeature(IscsiTestClient c) throws Exception {
        IscsiPdu r = c.loginStep(LoginPdu.stageFlags(true, false, 1, 3), IscsiTestClient.defaults());
        assertEquals(0, LoginPdu.status(r));
        assertNotEquals(0, LoginPdu.tsih(r));
        c.tsih = LoginPdu.tsih(r);
        c.logout();
    }

    @Test
    void oneWay() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            Challenge ch = challenge(c);
            assertTrue(ch.challenge().length >= 16);
            IscsiPdu r = answer(c, "alice", md5(ch.id(), SECRET, ch.challenge()), Map.of());
            assertEquals(0, LoginPdu.status(r));
            assertTrue(LoginPdu.transit(r));
            assertEquals(1, LoginPdu.nsg(r));
            assertNull(IscsiTestClient.keys(r).get("CHAP_R"), "no mutual answer unless asked");
            toFullFeature(c);
        }
        assertTrue(log.text().contains("target=" + TARGET + " type=Normal tsih="), log.text());
        assertTrue(log.text().contains(" auth=CHAP/MD5 HeaderDigest=None DataDigest=None result=success"));
    }

    @Test
    void wrongSecretIsAnAuthenticationFailure() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            Challenge ch = challenge(c);
            IscsiPdu r = answer(c, "alice", md5(ch.id(), TARGET_SECRET, ch.challenge()), Map.of());
            assertEquals(LoginPdu.AUTHENTICATION_FAILURE, LoginPdu.status(r));
            assertTrue(c.closedByTarget());
        }
        assertTrue(log.text().contains("iSCSI login failed: initiator=" + INITIATOR + " from=127.0.0.1:"));
        assertTrue(log.text().contains("target=" + TARGET + " type=Normal result=02/01 (authentication failure)"));
        assertFalse(log.text().contains("initiator-secret-1"));
    }

    @Test
    void mutual() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            Challenge ch = challenge(c);
            byte[] ours = HexFormat.of().parseHex("00112233445566778899aabbccddeeff0123");
            IscsiPdu r = answer(c, "alice", md5(ch.id(), SECRET, ch.challenge()),
                    Map.of("CHAP_I", "77", "CHAP_C", hex(ours)));
            assertEquals(0, LoginPdu.status(r));
            Map<String, String> k = IscsiTestClient.keys(r);
            assertEquals("ferry", k.get("CHAP_N"));
            assertEquals(hex(md5(77, TARGET_SECRET, ours)), k.get("CHAP_R"));
            toFullFeature(c);
        }
        assertTrue(log.text().contains(" auth=CHAP/MD5+mutual "));
    }

    @Test
    void reflectedChallengeIsRefused() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            Challenge ch = challenge(c);
            IscsiPdu r = answer(c, "alice", md5(ch.id(), SECRET, ch.challenge()),
                    Map.of("CHAP_I", Integer.toString(ch.id()), "CHAP_C", ch.encoded()));
            assertEquals(LoginPdu.AUTHENTICATION_FAILURE, LoginPdu.status(r));
            assertEquals(0, r.dataSegmentLength(), "no CHAP_R for a reflected challenge");
            assertTrue(c.closedByTarget());
        }
    }

    @Test
    void aOneByteInitiatorChallengeIsRefused() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            Challenge ch = challenge(c);
            IscsiPdu r = answer(c, "alice", md5(ch.id(), SECRET, ch.challenge()),
                    Map.of("CHAP_I", "77", "CHAP_C", "0x01"));
            assertEquals(LoginPdu.AUTHENTICATION_FAILURE, LoginPdu.status(r));
            assertEquals(0, r.dataSegmentLength(), "no CHAP_R for a one-byte challenge");
            assertTrue(c.closedByTarget());
        }
    }

    @Test
    void chapCannotBeSkipped() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            IscsiTestClient.LoginFailed e = assertThrows(
                    IscsiTestClient.LoginFailed.class, () -> c.login(INITIATOR, TARGET, IscsiTestClient.defaults()));
            assertEquals(LoginPdu.AUTHENTICATION_FAILURE, e.status, "AuthMethod=None offered");
        }
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            IscsiPdu r = c.loginStep(LoginPdu.stageFlags(true, false, 1, 3),
                    Map.of("InitiatorName", INITIATOR, "TargetName", TARGET));
            assertEquals(LoginPdu.AUTHENTICATION_FAILURE, LoginPdu.status(r), "security stage skipped");
        }
    }

    @Test
    void initiatorsOutsideTheAclAreRefusedAndSeeNothing() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            IscsiTestClient.LoginFailed e = assertThrows(
                    IscsiTestClient.LoginFailed.class, () -> c.login(STRANGER, TARGET, IscsiTestClient.defaults()));
            assertEquals(LoginPdu.AUTHORIZATION_FAILURE, e.status);
        }
        assertTrue(log.text().contains("result=02/02 (authorization failure)"));
        assertEquals(List.of(TestTargets.TARGET), discover(STRANGER, "All"));
        assertEquals(List.of(), discover(STRANGER, TARGET), "asking for the target by name");
        assertEquals(List.of(TARGET, TestTargets.TARGET), discover(INITIATOR, "All"));
    }

    /** TargetName values a discovery session answers to SendTargets=value. */
    List<String> discover(String initiator, String value) throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(initiator, null, IscsiTestClient.defaults());
            IscsiPdu req = TextPdu.request(true, false, c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn);
            req.data(Unpooled.copiedBuffer("SendTargets=" + value + "\0", StandardCharsets.UTF_8));
            c.write(req);
            IscsiPdu r = c.read();
            assertEquals(Opcode.TEXT_RESPONSE, r.opcode());
            byte[] b = new byte[r.data().readableBytes()];
            r.data().getBytes(0, b);
            c.logout();
            return TextKeys.parse(b).stream().filter(e -> e.getKey().equals("TargetName")).map(Map.Entry::getValue)
                    .sorted().toList();
        }
    }
}
