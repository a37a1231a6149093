package dev.ferry.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
    private static final BackendFactory RAM = new BackendFactory() {
        @Override
        public String type() {
            return "ram";
        }

        @Override
        public List<String> validate(BackstoreConfig config) {
            return config.size() == null ? List.of("size: a ram backstore needs a size") : List.of();
        }

        @Override
        public Backend open(BackstoreConfig config) {
            throw new UnsupportedOperationException();
        }
    };
    private final ConfigValidator validator = new ConfigValidator(Map.of("ram", RAM), Set.of("iscsi", "nvme"));

    private static final String GOOD = """
            {"backstores": [{"name": "d0", "type": "ram", "size": "64M"}],
             "targets": [{"name": "iqn.2026-11.dev.ferry:t", "portals": ["127.0.0.1:3260"],
                          "luns": [{"id": 0, "backstore": "d0"}], "acls": [{"initiator": "iqn.1993-08.org.debian:01:abc"}]}]}
            """;

    @Test
    void acceptsAGoodConfiguration() throws Exception {
        FerryConfig c = ConfigLoader.parse(GOOD);
        validator.validate(c);
        assertEquals(67108864L, c.backstores().get(0).sizeBytes());
        assertEquals(c, ConfigLoader.parse(ConfigLoader.toJson(c)), "JSON round trip");
    }

    @Test
    void unknownFieldIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(GOOD.replace("\"size\"", "\"sise\"")));
        assertTrue(e.getMessage().contains("backstores[0]") && e.getMessage().contains("'sise'"), e.getMessage());
    }

    @Test
    void everyProblemIsReportedWithItsField() throws Exception {
        FerryConfig bad = ConfigLoader.parse("""
                {"backstores": [{"name": "d0", "type": "ram"}, {"name": "d0", "type": "tape", "size": "1X"}],
                 "targets": [{"name": "not-an-iqn", "portals": ["127.0.0.1:99999"],
                              "luns": [{"id": 0, "backstore": "nope"}, {"id": 0, "backstore": "d0"}]}]}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> validator.validate(bad));
        List<String> p = e.problems();
        assertTrue(p.contains("backstores[0].size: a ram backstore needs a size"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("backstores[1].name: 'd0' is used")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("backstores[1].type: unknown backend 'tape'")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("backstores[1].size: '1X' is not a size")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].name: 'not-an-iqn' is not an iSCSI name")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].portals[0]:")), p.toString());
        assertTrue(p.contains("targets[0].luns[0].backstore: no backstore named 'nope'"), p.toString());
        assertTrue(p.contains("targets[0].luns[1].id: LUN 0 is used twice in this target"), p.toString());
    }

    @Test
    void queueDepthIsOptionalBoundedAndNotBelowWorkers() throws Exception {
        assertEquals(BackstoreConfig.DEFAULT_QUEUE_DEPTH, ConfigLoader.parse(GOOD).backstores().get(0).queueDepthOrDefault());
        FerryConfig deep = ConfigLoader.parse(GOOD.replace("\"size\": \"64M\"", "\"size\": \"64M\", \"queueDepth\": 64"));
        validator.validate(deep);
        assertEquals(64, deep.backstores().get(0).queueDepthOrDefault());
        assertEquals(deep, ConfigLoader.parse(ConfigLoader.toJson(deep)), "JSON round trip");
        for (int bad : new int[] {0, -1, BackstoreConfig.MAX_QUEUE_DEPTH + 1}) {
            FerryConfig c = ConfigLoader.parse(GOOD.replace("\"size\": \"64M\"", "\"size\": \"64M\", \"queueDepth\": " + bad));
            ConfigException e = assertThrows(ConfigException.class, () -> validator.validate(c));
            assertEquals(List.of("backstores[0].queueDepth: " + bad + " must be 1-1024 (requests in flight at the device)"),
                    e.problems());
        }
        FerryConfig shallow = ConfigLoader.parse(GOOD.replace("\"size\": \"64M\"",
                "\"size\": \"64M\", \"workers\": 8, \"queueDepth\": 4"));
        ConfigException e = assertThrows(ConfigException.class, () -> validator.validate(shallow));
        assertEquals(List.of("backstores[0].queueDepth: 4 is below workers (8): each worker needs a request in flight,"
                + " so raise queueDepth or lower workers"), e.problems());
    }

    @Test
    void aTargetWithoutAclsIsAcceptedAndAdmitsNobodyYet() throws Exception {
        // Like targetcli: create the target first, add the ACLs after.
        validator.validate(ConfigLoader.parse(GOOD.replace("{\"initiator\": \"iqn.1993-08.org.debian:01:abc\"}", "")));
        validator.validate(ConfigLoader.parse("""
                {"backstores": [], "targets": [{"name": "nqn.2026-11.dev.ferry:s", "protocol": "nvme",
                  "portals": ["127.0.0.1:4420"]}]}
                """));
    }

    @Test
    void iscsiSettingsRoundTripAndStayOptional() throws Exception {
        FerryConfig c = ConfigLoader.parse(GOOD.replace("\"acls\"",
                "\"iscsi\": {\"maxSessions\": 4, \"commandsPerSession\": 16, \"maxBurstLength\": 65536,"
                        + " \"firstBurstLength\": 8192, \"immediateData\": false}, \"acls\""));
        validator.validate(c);
        IscsiTargetConfig i = c.targets().get(0).iscsi();
        assertEquals(new IscsiTargetConfig(4, 16, null, 65536, 8192, null, false, null), i);
        assertEquals(c, ConfigLoader.parse(ConfigLoader.toJson(c)), "JSON round trip");
        assertTrue(!ConfigLoader.toJson(ConfigLoader.parse(GOOD)).contains("iscsi"), "absent settings stay absent");
        assertEquals(IscsiTargetConfig.DEFAULTS, ConfigLoader.parse(GOOD).targets().get(0).iscsiOrDefault());
    }

    @Test
    void iscsiSettingsOutOfTheirRfcRangesAreNamed() throws Exception {
        FerryConfig bad = ConfigLoader.parse(GOOD.replace("\"acls\"",
                "\"iscsi\": {\"maxSessions\": 0, \"commandsPerSession\": 1025, \"maxRecvDataSegmentLength\": 511,"
                        + " \"maxBurstLength\": 16777216, \"firstBurstLength\": 100, \"maxOutstandingR2T\": 65536},"
                        + " \"acls\""));
        List<String> p = assertThrows(ConfigException.class, () -> validator.validate(bad)).problems();
        assertEquals(List.of(
                "targets[0].iscsi.maxSessions: 0 must be 1-65535",
                "targets[0].iscsi.commandsPerSession: 1025 must be 1-1024",
                "targets[0].iscsi.maxRecvDataSegmentLength: 511 must be 512-16777215 (RFC 7143 13.12)",
                "targets[0].iscsi.maxBurstLength: 16777216 must be 512-16777215 (RFC 7143 13.13)",
                "targets[0].iscsi.firstBurstLength: 100 must be 512-16777215 (RFC 7143 13.14)",
                "targets[0].iscsi.maxOutstandingR2T: 65536 must be 1-65535 (RFC 7143 13.17)"), p);
    }

    @Test
    void firstBurstMayNotExceedMaxBurst() throws Exception {
        FerryConfig overMax = ConfigLoader.parse(GOOD.replace("\"acls\"",
                "\"iscsi\": {\"maxBurstLength\": 65536, \"firstBurstLength\": 131072}, \"acls\""));
        assertEquals(List.of("targets[0].iscsi.firstBurstLength: 131072 exceeds maxBurstLength 65536 (RFC 7143 13.14)"),
                assertThrows(ConfigException.class, () -> validator.validate(overMax)).problems());
        FerryConfig overDefaultMax = ConfigLoader.parse(GOOD.replace("\"acls\"",
                "\"iscsi\": {\"firstBurstLength\": 2097152}, \"acls\""));
        assertEquals(List.of("targets[0].iscsi.firstBurstLength: 2097152 exceeds maxBurstLength 1048576 (RFC 7143 13.14)"),
                assertThrows(ConfigException.class, () -> validator.validate(overDefaultMax)).problems());
        // An absent FirstBurstLength follows a smaller MaxBurstLength down (the negotiation clamps it).
        validator.validate(ConfigLoader.parse(GOOD.replace("\"acls\"", "\"iscsi\": {\"maxBurstLength\": 4096}, \"acls\"")));
    }

    @Test
    void iscsiSettingsOnAnNvmeSubsystemAreRefused() throws Exception {
        FerryConfig bad = ConfigLoader.parse("""
                {"backstores": [], "targets": [{"name": "nqn.2026-11.dev.ferry:s", "protocol": "nvme",
                  "portals": ["127.0.0.1:4420"], "allowAnyInitiator": true, "iscsi": {"maxSessions": 2}}]}
                """);
        assertEquals(List.of("targets[0].iscsi: only iSCSI targets have iSCSI settings"),
                assertThrows(ConfigException.class, () -> validator.validate(bad)).problems());
    }

    @Test
    void sizesAndPortals() {
        assertEquals(1L << 30, SizeParser.parse("1G"));
        assertEquals(1L << 30, SizeParser.parse("1GiB"));
        assertEquals(512L << 20, SizeParser.parse("512m"));
        assertEquals(4096, SizeParser.parse("4096"));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse("-1G"));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse("99999999999P"));
        assertEquals(new Portal("::1", 3260), Portal.parse("[::1]:3260", 1));
        assertEquals(new Portal("0.0.0.0", 3260), Portal.parse("0.0.0.0", 3260));
        assertThrows(IllegalArgumentException.class, () -> Portal.parse("::1:3260", 1));
        assertEquals(new Portal("10.0.2.15", 4420, Portal.RDMA), Portal.parse("rdma://10.0.2.15", 4420));
        assertEquals(new Portal("::1", 4421, Portal.TCP), Portal.parse("tcp://[::1]:4421", 4420));
        assertEquals("rdma://10.0.2.15:4420", Portal.parse("rdma://10.0.2.15:4420", 1).toString());
        assertEquals("10.0.2.15:4420", Portal.parse("tcp://10.0.2.15:4420", 1).toString());
        assertThrows(IllegalArgumentException.class, () -> Portal.parse("iser://10.0.2.15:3260", 1));
    }

    @Test
    void nvmeSubsystemsUseNqnsAndNamespaceIds() throws Exception {
        FerryConfig c = ConfigLoader.parse("""
                {"backstores": [{"name": "d0", "type": "ram", "size": "64M"}],
                 "targets": [{"name": "nqn.2026-11.dev.ferry:sub", "protocol": "nvme", "portals": ["127.0.0.1"],
                              "luns": [{"id": 1, "backstore": "d0"}],
                              "acls": [{"initiator": "nqn.2014-08.org.nvmexpress:uuid:6c1f5d40-0000-4000-8000-000000000001"}]}]}
                """);
        validator.validate(c);
        assertEquals(4420, Portal.parse(c.targets().get(0).portals().get(0), ConfigValidator.defaultPort("nvme")).port());
        FerryConfig bad = ConfigLoader.parse("""
                {"backstores": [{"name": "d0", "type": "ram", "size": "64M"}],
                 "targets": [{"name": "iqn.2026-11.dev.ferry:t", "protocol": "nvme", "portals": ["127.0.0.1"],
                              "luns": [{"id": 0, "backstore": "d0"}], "allowAnyInitiator": true}]}
                """);
        List<String> p = assertThrows(ConfigException.class, () -> validator.validate(bad)).problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].name: 'iqn.2026-11.dev.ferry:t' is not an NVMe qualified name")), p.toString());
        assertTrue(p.contains("targets[0].luns[0].id: 0 must be 1-1024"), p.toString());
    }

    @Test
    void chapSecretsComeFromFilesAndAreChecked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path good = java.nio.file.Files.writeString(dir.resolve("good"), "0123456789abcdef\n");
        java.nio.file.Path other = java.nio.file.Files.writeString(dir.resolve("other"), "fedcba9876543210");
        java.nio.file.Path shortSecret = java.nio.file.Files.writeString(dir.resolve("short"), "tooshort");
        String acl = """
                {"backstores": [{"name": "d0", "type": "ram", "size": "64M"}],
                 "targets": [{"name": "iqn.2026-11.dev.ferry:t", "portals": ["127.0.0.1"],
                              "luns": [{"id": 0, "backstore": "d0"}],
                              "acls": [{"initiator": "iqn.2026-11.dev.ferry:i", "chapUser": "u", "chapSecretFile": "%s",
                                        "mutualChapUser": "t", "mutualChapSecretFile": "%s", "luns": %s}]}]}
                """;
        validator.validate(ConfigLoader.parse(acl.formatted(good, other, "[0]")));
        assertEquals("0123456789abcdef", new String(SecretFiles.read(good.toString())), "trailing newline dropped");
        List<String> p = assertThrows(ConfigException.class,
                () -> validator.validate(ConfigLoader.parse(acl.formatted(shortSecret, good, "[0, 3]")))).problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].acls[0].chapSecretFile: the secret in")
                && s.contains("8 bytes") && !s.contains("tooshort")), p.toString());
        assertTrue(p.contains("targets[0].acls[0].luns[1]: the target has no LUN 3"), p.toString());
        p = assertThrows(ConfigException.class,
                () -> validator.validate(ConfigLoader.parse(acl.formatted(good, good, "null")))).problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].acls[0].mutualChapSecretFile: must differ")), p.toString());
    }
}
