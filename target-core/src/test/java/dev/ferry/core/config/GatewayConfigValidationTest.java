package dev.ferry.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The optional {@code gateway} section: read, written back, kept by edits, and each wrong field named. */
class GatewayConfigValidationTest {
    private final ConfigValidator validator = new ConfigValidator(Map.of(), Set.of("iscsi", "nvme"));

    private static FerryConfig parse(String gateway) throws ConfigException {
        return ConfigLoader.parse("{\"backstores\": [], \"targets\": [], \"gateway\": " + gateway + "}");
    }

    @Test
    void aValidSectionRoundTripsAndSurvivesEdits() throws Exception {
        FerryConfig c = parse("{\"group\": \"rbd/ns/gw1\", \"conf\": \"/etc/ceph/ceph.conf\", \"id\": \"ferry\","
                + " \"keyring\": \"/etc/ceph/k\", \"member\": \"node-a\", \"accessGroup\": 2}");
        validator.validate(c);
        assertEquals(new GatewayConfig("rbd/ns/gw1", "/etc/ceph/ceph.conf", "ferry", "/etc/ceph/k", "node-a", 2,
                null), c.gateway());
        assertEquals(15, c.gateway().leaseSecondsOrDefault());
        assertEquals(c, ConfigLoader.parse(ConfigLoader.toJson(c)), "JSON round trip");
        assertEquals(c.gateway(), c.withTargets(List.of()).withBackstores(List.of()).gateway(), "edits keep it");
        validator.validate(ConfigLoader.parse("{\"backstores\": [], \"targets\": []}"));
    }

    @Test
    void eachWrongFieldIsNamed() throws Exception {
        List<String> p = assertThrows(ConfigException.class, () -> validator.validate(parse(
                "{\"group\": \"gw1\", \"member\": \"a b\", \"accessGroup\": 129, \"leaseSeconds\": 2,"
                        + " \"conf\": \"x:y\", \"id\": \"a b\"}"))).problems();
        assertEquals(List.of(
                "gateway.group: 'gw1' is not POOL/GROUP or POOL/NAMESPACE/GROUP",
                "gateway.member: 'a b' must be 1 to 64 letters, digits, '.', '_' or '-'",
                "gateway.accessGroup: 129 must be 1-128 (this member's port group, unique in the group)",
                "gateway.leaseSeconds: 2 must be 3-300",
                "gateway.conf: 'x:y' must be a file name without ':'",
                "gateway.id: 'a b' is not a Ceph client id"), p);
        List<String> missing = assertThrows(ConfigException.class, () -> validator.validate(parse(
                "{\"group\": \"rbd/g@1\"}"))).problems();
        assertEquals(List.of(
                "gateway.group: 'rbd/g@1' is not POOL/GROUP or POOL/NAMESPACE/GROUP",
                "gateway.member: 'null' must be 1 to 64 letters, digits, '.', '_' or '-'",
                "gateway.accessGroup: null must be 1-128 (this member's port group, unique in the group)"), missing);
        assertEquals(List.of("gateway.group: is missing (POOL[/NAMESPACE]/GROUP)"), assertThrows(
                ConfigException.class, () -> validator.validate(parse("{\"member\": \"a\", \"accessGroup\": 1}")))
                .problems());
    }

    @Test
    void failbackIsManualByDefaultAndItsFieldsAreChecked() throws Exception {
        FerryConfig manual = parse("{\"group\": \"rbd/gw1\", \"member\": \"a\", \"accessGroup\": 1}");
        validator.validate(manual);
        assertEquals(false, manual.gateway().automaticFailback());
        FerryConfig auto = parse("{\"group\": \"rbd/gw1\", \"member\": \"a\", \"accessGroup\": 1,"
                + " \"failback\": \"automatic\", \"failbackSeconds\": 5}");
        validator.validate(auto);
        assertEquals(true, auto.gateway().automaticFailback());
        assertEquals(5, auto.gateway().failbackSecondsOrDefault());
        assertEquals(List.of("gateway.failback: 'sometimes' must be manual or automatic",
                "gateway.failbackSeconds: 3601 must be 0-3600"),
                problemsOfMemberA("\"failback\": \"sometimes\", \"failbackSeconds\": 3601"));
    }

    @Test
    void memberPortalsNameAProtocolAndAtLeastOnePortal() throws Exception {
        FerryConfig c = parse("{\"group\": \"rbd/gw1\", \"member\": \"a\", \"accessGroup\": 1,"
                + " \"portals\": {\"nvme\": [\"10.0.0.1:4420\"], \"iscsi\": [\"10.0.0.1:3260\"]}}");
        validator.validate(c);
        assertEquals(List.of("10.0.0.1:4420"), c.gateway().portalsOf("nvme"));
        assertEquals(List.of(), parse("{\"group\": \"rbd/gw1\", \"member\": \"a\", \"accessGroup\": 1}")
                .gateway().portalsOf("nvme"));
        assertEquals(c, ConfigLoader.parse(ConfigLoader.toJson(c)), "JSON round trip");
        assertEquals(List.of("gateway.portals: 'fc' is not a protocol (iscsi or nvme)",
                "gateway.portals.nvme: must list at least one HOST:PORT"),
                problemsOfMemberA("\"portals\": {\"fc\": [\"x\"], \"nvme\": []}"));
    }

    /** The problems of member a's section in group rbd/gw1 with {@code fields} added. */
    private List<String> problemsOfMemberA(String fields) {
        return assertThrows(ConfigException.class, () -> validator.validate(parse(
                "{\"group\": \"rbd/gw1\", \"member\": \"a\", \"accessGroup\": 1, " + fields + "}"))).problems();
    }

    @Test
    void aMemberServesOnlyRbdBackstores() throws Exception {
        FerryConfig c = ConfigLoader.parse("{\"backstores\": [{\"name\": \"scratch\", \"type\": \"ram\","
                + " \"size\": \"1M\"}], \"targets\": [], \"gateway\": {\"group\": \"rbd/gw1\", \"member\": \"a\","
                + " \"accessGroup\": 1}}");
        List<String> p = assertThrows(ConfigException.class, () -> validator.validate(c)).problems();
        assertEquals(true, p.contains("backstores[0].type: a gateway member serves only rbd backstores (the group"
                + " shares its backstores; a ram backstore would be another device on each member)"), p::toString);
    }
}
