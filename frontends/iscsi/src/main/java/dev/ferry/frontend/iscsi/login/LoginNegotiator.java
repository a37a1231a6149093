package dev.ferry.frontend.iscsi.login;

import static dev.ferry.frontend.iscsi.pdu.LoginPdu.AUTHENTICATION_FAILURE;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.AUTHORIZATION_FAILURE;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.INITIATOR_ERROR;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.MISSING_PARAMETER;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.NOT_FOUND;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.SESSION_TYPE_NOT_SUPPORTED;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.STAGE_FULL_FEATURE;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.STAGE_OPERATIONAL;
import static dev.ferry.frontend.iscsi.pdu.LoginPdu.STAGE_SECURITY;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.UnitRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text side of one login (RFC 7143 6): stage transitions (CSG/NSG and the T bit), the security stage through
 * an {@link Authenticator}, and the operational negotiation of every section 13 key with its result function. It
 * sees complete requests (the connection joins C-bit continuations first) and knows nothing of PDUs or sockets.
 */
public final class LoginNegotiator {
    /** The portal group every portal of this target belongs to (RFC 7143 13.9). */
    public static final int TARGET_PORTAL_GROUP_TAG = 1;
    public static final String PROTOCOL = "iscsi";
    /** RFC 7143 is iSCSIProtocolLevel 1 (RFC 7144 13.24). */
    public static final int PROTOCOL_LEVEL = 1;

    private static final String NOT_UNDERSTOOD = "NotUnderstood";
    private static final String IRRELEVANT = "Irrelevant";
    private static final String REJECT = "Reject";
    private static final int MIN_SEGMENT = 512;
    private static final int MAX_SEGMENT = (1 << 24) - 1;

    /** One answered request: the response's stage bits, keys, and whether the login is now complete. */
    public record Step(boolean transit, int csg, int nsg, List<Map.Entry<String, String>> keys) {
        public boolean fullFeature() {
            return transit && nsg == STAGE_FULL_FEATURE;
        }
    }

    /** The keys that say who logs in to what: taken before the first request's other keys (RFC 7143 6.3). */
    private static final Set<String> IDENTITY_KEYS = Set.of("InitiatorName", "InitiatorAlias", "TargetName",
            "SessionType");

    private final UnitRegistry registry;
    /** The frontend's limits, then (once the first request named the target) with the target's settings. */
    private NegotiationLimits limits;
    private final AuthPolicy authPolicy;
    /** The methods this initiator may use, known once the first request identified it and its target. */
    private List<Authenticator> authenticators = List.of();
    private final SessionParameters params = new SessionParameters();
    private final Set<String> seen = new HashSet<>();
    /** Keys the target offered and the initiator has not answered yet, with our value. */
    private final Map<String, String> offered = new java.util.LinkedHashMap<>();

    private int stage = -1;
    private boolean firstDone;
    private boolean declaredMrdsl;
    private Authenticator authenticator;
    private boolean authenticated;
    private Export export;

    public LoginNegotiator(UnitRegistry registry, NegotiationLimits limits) {
        this(registry, limits, AuthPolicy.DEFAULT);
    }

    private java.util.function.ToIntFunction<Export> portalGroupTags = e -> TARGET_PORTAL_GROUP_TAG;

    public LoginNegotiator(UnitRegistry registry, NegotiationLimits limits, AuthPolicy authPolicy) {
        this.registry = registry;
        this.limits = limits;
        this.authPolicy = authPolicy;
        params.targetMaxRecvDataSegmentLength = limits.maxRecvDataSegmentLength();
    }

    /** How the TPGT of the portal the login came in on is found (default: {@link #TARGET_PORTAL_GROUP_TAG}). */
    public void portalGroupTags(java.util.function.ToIntFunction<Export> tags) {
        this.portalGroupTags = tags;
    }

    public SessionParameters parameters() {
        return params;
    }

    /** The export a Normal session logs in to (null for discovery or before the first request). */
    public Export export() {
        return export;
    }

    /** The AuthMethod in use so far ({@code None}, {@code CHAP/MD5+mutual}...), for logging. */
    public String authentication() {
        return authenticator == null ? Authenticator.NONE.method() : authenticator.describe();
    }

    /**
     * Answers one complete Login Request.
     *
     * @param csg     the request's current stage
     * @param transit the request's T bit
     * @param nsg     the request's next stage (meaningful when transit)
     * @param keys    its key=value pairs in order
     * @throws LoginException when the login must fail with that status
     */
    public Step process(int csg, boolean transit, int nsg, List<Map.Entry<String, String>> keys) throws LoginException {
        checkStage(csg, transit, nsg);
        List<Map.Entry<String, String>> response = new ArrayList<>();
        List<Map.Entry<String, String>> authKeys = new ArrayList<>();
        List<Map.Entry<String, String>> operational = new ArrayList<>();
        String authMethods = null;
        for (Map.Entry<String, String> kv : keys) {
            String key = kv.getKey();
            if (!seen.add(key)) {
                throw new LoginException(INITIATOR_ERROR, "key " + key + " sent twice during login (RFC 7143 6.2)");
            }
            if (key.equals("AuthMethod")) {
                authMethods = kv.getValue();
            } else if (key.startsWith("CHAP_")) {
                authKeys.add(kv);
            } else if (IDENTITY_KEYS.contains(key)) {
                negotiate(key, kv.getValue(), response);
            } else {
                operational.add(kv);
            }
        }
        if (!firstDone) {
            firstDone = true;
            identify(response);
        }
        // After identify: the target's own settings answer the operational keys.
        for (Map.Entry<String, String> kv : operational) {
            // The answer to a key we offered closes that negotiation: no reply (RFC 7143 6.2).
            negotiate(kv.getKey(), kv.getValue(), offered.remove(kv.getKey()) != null ? new ArrayList<>() : response);
        }
        if (authMethods != null) {
            selectAuthMethod(authMethods, response);
        }
        if (csg == STAGE_SECURITY) {
            if (authenticator == null) {
                // The initiator did not offer AuthMethod: only acceptable when None is configured.
                authenticator = authenticators.stream().filter(a -> a == Authenticator.NONE).findFirst()
                        .orElseThrow(() -> new LoginException(AUTHENTICATION_FAILURE, "no AuthMethod offered"));
            }
            authenticated = authenticator.step(authKeys, response);
        } else if (!authKeys.isEmpty()) {
            throw new LoginException(INITIATOR_ERROR, "authentication keys outside the security stage");
        }
        if (csg == STAGE_SECURITY && transit && !authenticated) {
            transit = false;
        }
        if (!authenticated) {
            // Reaching operational stage without a security stage is only possible when None is acceptable.
            if (csg != STAGE_SECURITY) {
                if (!authenticators.contains(Authenticator.NONE)) {
                    throw new LoginException(AUTHENTICATION_FAILURE, "authentication required");
                }
                authenticated = true;
            }
        }
        if (!declaredMrdsl && (csg == STAGE_OPERATIONAL || (transit && nsg == STAGE_FULL_FEATURE))) {
            declaredMrdsl = true;
            response.add(Map.entry("MaxRecvDataSegmentLength", Integer.toString(limits.maxRecvDataSegmentLength())));
        }
        fixFirstBurst(response);
        if (transit && nsg == STAGE_FULL_FEATURE && !params.discovery()) {
            if (!offered.isEmpty()) {
                // Unanswered offers stand as offered: our value is within both sides' result functions.
                for (Map.Entry<String, String> o : List.copyOf(offered.entrySet())) {
                    negotiate(o.getKey(), o.getValue(), new ArrayList<>());
                }
                offered.clear();
            } else {
                Map<String, String> offers = ownOffers();
                if (!offers.isEmpty() && csg == STAGE_SECURITY) {
                    nsg = STAGE_OPERATIONAL; // operational keys can only be offered there (RFC 7143 6.3)
                } else if (!offers.isEmpty()) {
                    offered.putAll(offers);
                    offers.forEach((k, v) -> response.add(Map.entry(k, v)));
                    transit = false; // full feature phase once the initiator answered
                }
            }
        }
        if (transit) {
            stage = nsg;
        }
        return new Step(transit, csg, transit ? nsg : 0, response);
    }

    /**
     * What the target must offer itself because the initiator never negotiated it and the RFC 7143 default would
     * exceed this target's setting (MaxBurstLength 13.13, ImmediateData 13.11, FirstBurstLength 13.14).
     */
    private Map<String, String> ownOffers() {
        Map<String, String> offers = new java.util.LinkedHashMap<>();
        if (!seen.contains("MaxBurstLength") && limits.maxBurstLength() < params.maxBurstLength) {
            offers.put("MaxBurstLength", Integer.toString(limits.maxBurstLength()));
        }
        boolean immediate = params.immediateData && limits.immediateData();
        if (!seen.contains("ImmediateData") && immediate != params.immediateData) {
            offers.put("ImmediateData", "No");
        }
        int firstBurst = Math.min(limits.firstBurstLength(), limits.maxBurstLength());
        boolean unsolicited = !params.initialR2T || immediate;
        if (!seen.contains("FirstBurstLength") && unsolicited && firstBurst < params.firstBurstLength) {
            offers.put("FirstBurstLength", Integer.toString(firstBurst));
        }
        return offers;
    }

    private void checkStage(int csg, boolean transit, int nsg) throws LoginException {
        if (csg != STAGE_SECURITY && csg != STAGE_OPERATIONAL) {
            throw new LoginException(INITIATOR_ERROR, "invalid CSG " + csg);
        }
        if (stage == -1) {
            stage = csg;
        } else if (csg != stage) {
            throw new LoginException(INITIATOR_ERROR, "CSG " + csg + " but the login is in stage " + stage);
        }
        if (transit && (nsg <= csg || nsg == 2)) {
            throw new LoginException(INITIATOR_ERROR, "invalid stage transition " + csg + " -> " + nsg);
        }
    }

    /** The checks of the first request: who logs in, to what, and whether it may (RFC 7143 6.3, 11.13.5). */
    private void identify(List<Map.Entry<String, String>> response) throws LoginException {
        if (params.initiatorName == null || params.initiatorName.isEmpty()) {
            throw new LoginException(MISSING_PARAMETER, "InitiatorName missing from the first Login Request");
        }
        if (params.discovery()) {
            authenticators = authPolicy.methods(null);
            response.add(0, Map.entry("TargetPortalGroupTag", Integer.toString(TARGET_PORTAL_GROUP_TAG)));
            return;
        }
        if (params.targetName == null || params.targetName.isEmpty()) {
            throw new LoginException(MISSING_PARAMETER, "TargetName missing from a Normal session login");
        }
        export = registry.export(PROTOCOL, params.targetName);
        if (export == null) {
            throw new LoginException(NOT_FOUND, "no target " + params.targetName);
        }
        InitiatorAccess access = export.access(params.initiatorName);
        if (access == null) {
            throw new LoginException(AUTHORIZATION_FAILURE, params.initiatorName + " is not in the ACL of " + export.name());
        }
        authenticators = authPolicy.methods(access);
        limits = limits.forTarget(export.iscsi());
        params.targetMaxRecvDataSegmentLength = limits.maxRecvDataSegmentLength();
        params.targetName = export.name();
        response.add(0, Map.entry("TargetPortalGroupTag", Integer.toString(portalGroupTags.applyAsInt(export))));
        if (export.alias() != null && !export.alias().isEmpty()) {
            response.add(1, Map.entry("TargetAlias", export.alias()));
        }
    }

    private void selectAuthMethod(String offered, List<Map.Entry<String, String>> response) throws LoginException {
        for (String m : offered.split(",")) {
            for (Authenticator a : authenticators) {
                if (a.method().equals(m.trim())) {
                    authenticator = a;
                    response.add(Map.entry("AuthMethod", a.method()));
                    return;
                }
            }
        }
        throw new LoginException(AUTHENTICATION_FAILURE, "no acceptable AuthMethod in " + offered);
    }

    /** One key of the operational (or identification) set with its RFC 7143 section 13 result function. */
    private void negotiate(String key, String value, List<Map.Entry<String, String>> response) throws LoginException {
        if (value.equals(NOT_UNDERSTOOD) || value.equals(IRRELEVANT) || value.equals(REJECT)) {
            return; // an answer to something we never offer: nothing to do
        }
        switch (key) {
            case "InitiatorName" -> params.initiatorName = value;                                   // 13.5
            case "InitiatorAlias" -> params.initiatorAlias = value;                                 // 13.7
            case "TargetName" -> params.targetName = value;                                         // 13.4
            case "SessionType" -> {                                                                 // 13.21
                if (!value.equals(SessionParameters.NORMAL) && !value.equals(SessionParameters.DISCOVERY)) {
                    throw new LoginException(SESSION_TYPE_NOT_SUPPORTED, "SessionType " + value);
                }
                params.sessionType = value;
            }
            case "TargetAlias", "TargetAddress", "TargetPortalGroupTag" -> reply(response, key, REJECT); // target-only
            case "HeaderDigest" -> params.headerDigest = digest(key, value, limits.headerDigest(), response); // 13.1
            case "DataDigest" -> params.dataDigest = digest(key, value, limits.dataDigest(), response);
            case "MaxConnections" -> {                                                              // 13.2
                Integer v = number(value, 1, 65535);
                if (v == null) { reply(response, key, REJECT); return; }
                params.maxConnections = Math.min(v, 1);
                reply(response, key, Integer.toString(params.maxConnections));
            }
            case "SendTargets" -> reply(response, key, IRRELEVANT);                                 // 13.3: FFP only
            case "InitialR2T" -> {                                                                  // 13.10: OR
                Boolean v = bool(value);
                if (v == null) { reply(response, key, REJECT); return; }
                params.initialR2T = v || limits.initialR2T();
                reply(response, key, yesNo(params.initialR2T));
            }
            case "ImmediateData" -> {                                                               // 13.11: AND
                Boolean v = bool(value);
                if (v == null) { reply(response, key, REJECT); return; }
                params.immediateData = v && limits.immediateData();
                reply(response, key, yesNo(params.immediateData));
            }
            case "MaxRecvDataSegmentLength" -> {                                                    // 13.12: declarative
                Integer v = number(value, MIN_SEGMENT, MAX_SEGMENT);
                if (v == null) { reply(response, key, REJECT); return; }
                params.initiatorMaxRecvDataSegmentLength = v;
            }
            case "MaxBurstLength" -> {                                                              // 13.13: min
                Integer v = number(value, MIN_SEGMENT, MAX_SEGMENT);
                if (v == null) { reply(response, key, REJECT); return; }
                params.maxBurstLength = Math.min(v, limits.maxBurstLength());
                reply(response, key, Integer.toString(params.maxBurstLength));
            }
            case "FirstBurstLength" -> {                                                            // 13.14: min
                Integer v = number(value, MIN_SEGMENT, MAX_SEGMENT);
                if (v == null) { reply(response, key, REJECT); return; }
                params.firstBurstLength = Math.min(v, limits.firstBurstLength());
                reply(response, key, Integer.toString(params.firstBurstLength));
            }
            case "DefaultTime2Wait" -> {                                                            // 13.15: max
                Integer v = number(value, 0, 3600);
                if (v == null) { reply(response, key, REJECT); return; }
                params.defaultTime2Wait = Math.max(v, limits.defaultTime2Wait());
                reply(response, key, Integer.toString(params.defaultTime2Wait));
            }
            case "DefaultTime2Retain" -> {                                                          // 13.16: min
                Integer v = number(value, 0, 3600);
                if (v == null) { reply(response, key, REJECT); return; }
                params.defaultTime2Retain = Math.min(v, limits.defaultTime2Retain());
                reply(response, key, Integer.toString(params.defaultTime2Retain));
            }
            case "MaxOutstandingR2T" -> {                                                           // 13.17: min
                Integer v = number(value, 1, 65535);
                if (v == null) { reply(response, key, REJECT); return; }
                params.maxOutstandingR2T = Math.min(v, limits.maxOutstandingR2T());
                reply(response, key, Integer.toString(params.maxOutstandingR2T));
            }
            case "DataPDUInOrder" -> {                                                              // 13.18: OR
                Boolean v = bool(value);
                if (v == null) { reply(response, key, REJECT); return; }
                params.dataPduInOrder = v || limits.dataPduInOrder();
                reply(response, key, yesNo(params.dataPduInOrder));
            }
            case "DataSequenceInOrder" -> {                                                         // 13.19: OR
                Boolean v = bool(value);
                if (v == null) { reply(response, key, REJECT); return; }
                params.dataSequenceInOrder = v || limits.dataSequenceInOrder();
                reply(response, key, yesNo(params.dataSequenceInOrder));
            }
            case "ErrorRecoveryLevel" -> {                                                          // 13.20: min, we do 0
                Integer v = number(value, 0, 2);
                if (v == null) { reply(response, key, REJECT); return; }
                params.errorRecoveryLevel = 0;
                reply(response, key, "0");
            }
            case "OFMarker", "IFMarker" -> {                     // RFC 3720 12.17-18, obsolete in RFC 7143: AND with No
                Boolean v = bool(value);
                reply(response, key, v == null ? REJECT : "No");
            }
            case "OFMarkInt", "IFMarkInt" -> reply(response, key, IRRELEVANT);
            case "iSCSIProtocolLevel" -> {                                                          // RFC 7144: min
                Integer v = number(value, 0, 31);
                if (v == null) { reply(response, key, REJECT); return; }
                params.protocolLevel = Math.min(v, PROTOCOL_LEVEL);
                reply(response, key, Integer.toString(params.protocolLevel));
            }
            case "TaskReporting" -> {                                                               // RFC 7144: list
                boolean ok = false;
                for (String s : value.split(",")) {
                    if (s.equals("RFC3720")) {
                        ok = true;
                        break;
                    }
                }
                params.taskReporting = "RFC3720";
                reply(response, key, ok ? "RFC3720" : REJECT);
            }
            default -> reply(response, key, NOT_UNDERSTOOD);  // includes X- and X# extension keys (RFC 7143 13.25)
        }
    }

    /** List negotiation (6.2.1): the first value of the initiator's list that we support. */
    private static boolean digest(String key, String value, boolean crcAllowed, List<Map.Entry<String, String>> response) {
        for (String v : value.split(",")) {
            String t = v.trim();
            if (t.equals("None")) {
                reply(response, key, "None");
                return false;
            }
            if (t.equals("CRC32C") && crcAllowed) {
                reply(response, key, "CRC32C");
                return true;
            }
        }
        reply(response, key, REJECT);
        return false;
    }

    /** FirstBurstLength must not exceed MaxBurstLength (13.14), and is irrelevant without unsolicited data. */
    private void fixFirstBurst(List<Map.Entry<String, String>> response) {
        if (params.firstBurstLength > params.maxBurstLength) {
            params.firstBurstLength = params.maxBurstLength;
        }
        for (int i = 0; i < response.size(); i++) {
            if (response.get(i).getKey().equals("FirstBurstLength") && !response.get(i).getValue().equals(REJECT)) {
                boolean irrelevant = params.initialR2T && !params.immediateData;
                response.set(i, Map.entry("FirstBurstLength",
                        irrelevant ? IRRELEVANT : Integer.toString(params.firstBurstLength)));
            }
        }
    }

    private static void reply(List<Map.Entry<String, String>> response, String key, String value) {
        response.add(Map.entry(key, value));
    }

    private static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    /** RFC 7143 6.1: boolean-value is Yes or No. */
    static Boolean bool(String v) {
        return switch (v) {
            case "Yes" -> Boolean.TRUE;
            case "No" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** A decimal or 0x-hex numerical value (RFC 7143 6.1) within [min, max], else null. */
    static Integer number(String v, int min, int max) {
        try {
            long n;
            if (v.startsWith("0x") || v.startsWith("0X")) {
                n = Long.parseLong(v.substring(2), 16);
            } else {
                if (v.isEmpty() || v.length() > 12) {
                    return null;
                }
                n = Long.parseLong(v);
            }
            return n < min || n > max ? null : (int) n;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
