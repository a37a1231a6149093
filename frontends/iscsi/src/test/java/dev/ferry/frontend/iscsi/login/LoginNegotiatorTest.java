package dev.ferry.frontend.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Operational negotiation: every RFC 7143 section 13 key's result function, ranges and defaults. */
class LoginNegotiatorTest {
    static final String TARGET = "iqn.2026-11.dev.ferry:t";
    static final String INITIATOR = "iqn.2026-11.dev.ferry:i";

    static UnitRegistry registry() {
        UnitRegistry r = new UnitRegistry();
        r.replace(Map.of(), List.of(
                new Export(TARGET, "iscsi", null, List.of(new Portal("127.0.0.1", 3260)), new TreeMap<>(), Set.of(), true),
                new Export("iqn.2026-11.dev.ferry:acl", "iscsi", null, List.of(), new TreeMap<>(),
                        Set.of("iqn.2026-11.dev.ferry:ok"), false)));
        return r;
    }

    static List<Map.Entry<String, String>> keys(String... kv) {
        List<Map.Entry<String, String>> l = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            l.add(Map.entry(kv[i], kv[i + 1]));
        }
        return l;
    }

    static Map<String, String> map(List<Map.Entry<String, String>> l) {
        Map<String, String> m = new LinkedHashMap<>();
        l.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    /** Logs in with identification plus one operational key; returns the response keys. */
    static Map<String, String> negotiate(String key, String value) throws LoginException {
        LoginNegotiator n = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        return map(n.process(1, true, 3, keys("InitiatorName", INITIATOR, "TargetName", TARGET, key, value)).keys());
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource({
            "HeaderDigest, 'CRC32C,None', CRC32C",
            "HeaderDigest, 'None,CRC32C', None",
            "HeaderDigest, 'MD5', Reject",
            "DataDigest, 'X,CRC32C', CRC32C",
            "MaxConnections, 4, 1",
            "MaxConnections, 0, Reject",
            "InitialR2T, Yes, Yes",
            "InitialR2T, No, No",
            "InitialR2T, Maybe, Reject",
            "ImmediateData, No, No",
            "ImmediateData, Yes, Yes",
            "MaxBurstLength, 16777215, 1048576",
            "MaxBurstLength, 65536, 65536",
            "MaxBurstLength, 511, Reject",
            "MaxBurstLength, 16777216, Reject",
            "MaxBurstLength, 0x10000, 65536",
            "FirstBurstLength, 1048576, 262144",
            "FirstBurstLength, 4096, 4096",
            "DefaultTime2Wait, 0, 2",
            "DefaultTime2Wait, 10, 10",
            "DefaultTime2Wait, 3601, Reject",
            "DefaultTime2Retain, 0, 0",
            "DefaultTime2Retain, 60, 20",
            "MaxOutstandingR2T, 1, 1",
            "MaxOutstandingR2T, 65535, 16",
            "MaxOutstandingR2T, 0, Reject",
            "DataPDUInOrder, No, Yes",
            "DataSequenceInOrder, No, Yes",
            "ErrorRecoveryLevel, 2, 0",
            "ErrorRecoveryLevel, 3, Reject",
            "IFMarker, Yes, No",
            "OFMarkInt, 2048~2048, Irrelevant",
            "iSCSIProtocolLevel, 2, 1",
            "iSCSIProtocolLevel, 0, 0",
            "TaskReporting, 'FastAbort,RFC3720', RFC3720",
            "SendTargets, All, Irrelevant",
            "TargetAddress, '1.2.3.4:3260,1', Reject",
            "X-com.example.Foo, bar, NotUnderstood",
            "X#org.example, 1, NotUnderstood",
            "FooBar, 1, NotUnderstood",
    })
    void resultFunctions(String key, String offered, String expected) throws LoginException {
        assertEquals(expected, negotiate(key, offered).get(key));
    }

    @Test
    void declarationsAndDefaults() throws LoginException {
        LoginNegotiator n = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        SessionParameters p = n.parameters();
        // RFC 7143 section 13 defaults before anything is negotiated.
        assertTrue(p.initialR2T);
        assertTrue(p.immediateData);
        assertEquals(8192, p.initiatorMaxRecvDataSegmentLength);
        assertEquals(262144, p.maxBurstLength);
        assertEquals(65536, p.firstBurstLength);
        assertEquals(1, p.maxOutstandingR2T);
        assertEquals(2, p.defaultTime2Wait);
        assertEquals(20, p.defaultTime2Retain);
        Map<String, String> r = map(n.process(0, true, 1, keys("InitiatorName", INITIATOR, "SessionType", "Normal",
                "TargetName", TARGET, "AuthMethod", "CHAP,None")).keys());
        assertEquals("1", r.get("TargetPortalGroupTag"));
        assertEquals("None", r.get("AuthMethod"));
        assertNull(r.get("MaxRecvDataSegmentLength"), "declared in the operational stage");
        r = map(n.process(1, true, 3, keys("MaxRecvDataSegmentLength", "65536", "MaxBurstLength", "32768",
                "FirstBurstLength", "65536")).keys());
        // MaxRecvDataSegmentLength is declarative: we state ours and keep theirs for what we send.
        assertEquals("262144", r.get("MaxRecvDataSegmentLength"));
        assertEquals(65536, p.initiatorMaxRecvDataSegmentLength);
        assertEquals(262144, p.targetMaxRecvDataSegmentLength);
        // FirstBurstLength never above MaxBurstLength.
        assertEquals("32768", r.get("FirstBurstLength"));
        assertEquals(32768, p.firstBurstLength);
    }

    @Test
    void firstBurstIrrelevantWithoutUnsolicitedData() throws LoginException {
        LoginNegotiator n = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        Map<String, String> r = map(n.process(1, true, 3, keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "InitialR2T", "Yes", "ImmediateData", "No", "FirstBurstLength", "65536")).keys());
        assertEquals("Irrelevant", r.get("FirstBurstLength"));
    }

    @Test
    void stageTransitions() throws LoginException {
        LoginNegotiator n = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        LoginNegotiator.Step s = n.process(0, false, 0, keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "None"));
        assertFalse(s.transit());
        s = n.process(0, true, 1, keys());
        assertTrue(s.transit());
        assertEquals(1, s.nsg());
        // Going back to the security stage is an error.
        LoginException e = assertThrows(LoginException.class, () -> n.process(0, true, 1, keys()));
        assertEquals(LoginPdu.INITIATOR_ERROR, e.status());
        LoginNegotiator m = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        e = assertThrows(LoginException.class, () -> m.process(1, true, 2, keys("InitiatorName", INITIATOR)));
        assertEquals(LoginPdu.INITIATOR_ERROR, e.status());
        LoginNegotiator skip = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        assertTrue(skip.process(0, true, 3, keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "None")).fullFeature());
    }

    @Test
    void loginStatusClasses() {
        assertEquals(LoginPdu.MISSING_PARAMETER, fail(keys("TargetName", TARGET)));
        assertEquals(LoginPdu.MISSING_PARAMETER, fail(keys("InitiatorName", INITIATOR)));
        assertEquals(LoginPdu.NOT_FOUND, fail(keys("InitiatorName", INITIATOR, "TargetName", "iqn.2026-11.x:none")));
        assertEquals(LoginPdu.AUTHORIZATION_FAILURE, fail(keys("InitiatorName", INITIATOR,
                "TargetName", "iqn.2026-11.dev.ferry:acl")));
        assertEquals(LoginPdu.SESSION_TYPE_NOT_SUPPORTED, fail(keys("InitiatorName", INITIATOR, "SessionType", "Other")));
        assertEquals(LoginPdu.AUTHENTICATION_FAILURE, fail(keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "CHAP")));
        assertEquals(LoginPdu.INITIATOR_ERROR, fail(keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "MaxBurstLength", "512", "MaxBurstLength", "1024")));
    }

    @Test
    void discoveryNeedsNoTarget() throws LoginException {
        LoginNegotiator n = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        LoginNegotiator.Step s = n.process(0, true, 3, keys("InitiatorName", INITIATOR, "SessionType", "Discovery",
                "AuthMethod", "None"));
        assertTrue(s.fullFeature());
        assertTrue(n.parameters().discovery());
        assertNull(n.export());
    }

    static int fail(List<Map.Entry<String, String>> k) {
        LoginNegotiator n = new LoginNegotiator(registry(), NegotiationLimits.DEFAULT);
        return assertThrows(LoginException.class, () -> n.process(0, true, 1, k)).status();
    }

    @Test
    void textKeysParseAndRejectGarbage() {
        assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "")), TextKeys.parse("A=1\0B=\0".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> TextKeys.parse("novalue\0".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> TextKeys.parse("=x\0".getBytes()));
    }

    static UnitRegistry registryWith(dev.ferry.core.config.IscsiTargetConfig settings) {
        UnitRegistry r = new UnitRegistry();
        r.replace(Map.of(), List.of(new Export(TARGET, "iscsi", null, List.of(new Portal("127.0.0.1", 3260)),
                new TreeMap<>(), List.<dev.ferry.core.unit.InitiatorAccess>of(), true, settings)));
        return r;
    }

    @Test
    void theTargetsSettingsAnswerKeysOfTheFirstRequestToo() throws LoginException {
        // Operational keys before TargetName in the same request are still answered with the target's settings.
        LoginNegotiator n = new LoginNegotiator(registryWith(new dev.ferry.core.config.IscsiTargetConfig(
                null, null, 16384, 65536, null, null, false, null)), NegotiationLimits.DEFAULT);
        Map<String, String> r = map(n.process(1, true, 3, keys("MaxBurstLength", "262144", "ImmediateData", "Yes",
                "InitiatorName", INITIATOR, "TargetName", TARGET)).keys());
        assertEquals("65536", r.get("MaxBurstLength"));
        assertEquals("No", r.get("ImmediateData"));
        assertEquals("16384", r.get("MaxRecvDataSegmentLength"));
        assertEquals(16384, n.parameters().targetMaxRecvDataSegmentLength);
    }

    @Test
    void whatTheInitiatorLeavesAtARfcDefaultAboveTheTargetsSettingTheTargetOffers() throws LoginException {
        LoginNegotiator n = new LoginNegotiator(registryWith(new dev.ferry.core.config.IscsiTargetConfig(
                null, null, null, 32768, 8192, null, false, null)), NegotiationLimits.DEFAULT);
        LoginNegotiator.Step first = n.process(1, true, 3, keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "InitialR2T", "No"));
        assertFalse(first.transit(), "no full feature phase before the initiator answered");
        Map<String, String> offers = map(first.keys());
        assertEquals("32768", offers.get("MaxBurstLength"));
        assertEquals("No", offers.get("ImmediateData"));
        assertEquals("8192", offers.get("FirstBurstLength"));
        LoginNegotiator.Step answered = n.process(1, true, 3, keys("MaxBurstLength", "16384", "ImmediateData", "No",
                "FirstBurstLength", "8192"));
        assertTrue(answered.fullFeature());
        assertFalse(map(answered.keys()).containsKey("MaxBurstLength"), "an answer is not answered again");
        assertEquals(16384, n.parameters().maxBurstLength);
        assertFalse(n.parameters().immediateData);
        assertEquals(8192, n.parameters().firstBurstLength);
    }

    @Test
    void anUnansweredOfferStandsAndASecurityStageLoginIsSentThroughTheOperationalStage() throws LoginException {
        LoginNegotiator n = new LoginNegotiator(registryWith(new dev.ferry.core.config.IscsiTargetConfig(
                null, null, null, 65536, null, null, null, null)), NegotiationLimits.DEFAULT);
        LoginNegotiator.Step security = n.process(0, true, 3, keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "None"));
        assertTrue(security.transit());
        assertEquals(LoginPdu.STAGE_OPERATIONAL, security.nsg(), "operational keys are only offered there");
        LoginNegotiator.Step offer = n.process(1, true, 3, keys());
        assertEquals("65536", map(offer.keys()).get("MaxBurstLength"));
        assertFalse(offer.transit());
        assertTrue(n.process(1, true, 3, keys()).fullFeature());
        assertEquals(65536, n.parameters().maxBurstLength);
    }
}
