package dev.ferry.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DH-HMAC-CHAP secrets in an ACL entry: valid DHHC-1 files, NVMe only, the controller's needs the host's. */
class DhchapConfigValidationTest {
    private static final BackendFactory RAM = new BackendFactory() {
        @Override
        public String type() {
            return "ram";
        }

        @Override
        public List<String> validate(BackstoreConfig config) {
            return List.of();
        }

        @Override
        public Backend open(BackstoreConfig config) {
            throw new UnsupportedOperationException();
        }
    };
    private final ConfigValidator validator = new ConfigValidator(Map.of("ram", RAM), Set.of("iscsi", "nvme"));
    private static final String CONFIG = """
            {"backstores": [{"name": "d0", "type": "ram", "size": "64M"}],
             "targets": [{"name": "%s", "protocol": "%s", "portals": ["127.0.0.1"],
                          "luns": [{"id": 1, "backstore": "d0"}],
                          "acls": [{"initiator": "%s" %s}]}]}
            """;
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:6c1f5d40-0000-4000-8000-000000000001";

    static String nvme(String secrets) {
        return CONFIG.formatted("nqn.2026-11.dev.ferry:sub", "nvme", HOST, secrets);
    }

    @Test
    void secretsAreCheckedAndRoundTrip(@TempDir Path dir) throws Exception {
        Path host = Files.writeString(dir.resolve("host"), DhchapKeyTest.NVME_CLI_HMAC0 + "\n");
        Path ctrl = Files.writeString(dir.resolve("ctrl"),
                new DhchapKey(1, DhchapKeyTest.range(32)).format() + "\n");
        Path plain = Files.writeString(dir.resolve("plain"), "0123456789abcdef\n");
        FerryConfig good = ConfigLoader.parse(nvme(", \"dhchapSecretFile\": \"" + host
                + "\", \"dhchapCtrlSecretFile\": \"" + ctrl + "\""));
        validator.validate(good);
        assertEquals(good, ConfigLoader.parse(ConfigLoader.toJson(good)), "JSON round trip");

        List<String> p = assertThrows(ConfigException.class, () -> validator.validate(ConfigLoader.parse(
                nvme(", \"dhchapSecretFile\": \"" + plain + "\"")))).problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].acls[0].dhchapSecretFile: the secret in")
                && s.contains("not a DHHC-1 secret") && !s.contains("0123456789abcdef")), p.toString());
        p = assertThrows(ConfigException.class, () -> validator.validate(ConfigLoader.parse(
                nvme(", \"dhchapCtrlSecretFile\": \"" + ctrl + "\"")))).problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].acls[0].dhchapCtrlSecretFile: bidirectional")),
                p.toString());
        p = assertThrows(ConfigException.class, () -> validator.validate(ConfigLoader.parse(
                nvme(", \"dhchapSecretFile\": \"" + host + "\", \"dhchapCtrlSecretFile\": \"" + host + "\"")))).problems();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("targets[0].acls[0].dhchapCtrlSecretFile: must differ")),
                p.toString());
        p = assertThrows(ConfigException.class, () -> validator.validate(ConfigLoader.parse(CONFIG.formatted(
                "iqn.2026-11.dev.ferry:t", "iscsi", "iqn.2026-11.dev.ferry:i",
                ", \"dhchapSecretFile\": \"" + host + "\"").replace("\"id\": 1", "\"id\": 0")))).problems();
        assertTrue(p.contains("targets[0].acls[0]: DH-HMAC-CHAP secrets are for NVMe hosts (iSCSI uses CHAP)"),
                p.toString());
        assertFalse(ConfigLoader.toJson(good).contains(DhchapKeyTest.NVME_CLI_HMAC0), "only paths in the config");
    }
}
