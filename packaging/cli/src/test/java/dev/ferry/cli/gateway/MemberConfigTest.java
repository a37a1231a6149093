package dev.ferry.cli.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.FerryConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a member shares with its group and what stays its own: portals, gateway section, state directory. */
class MemberConfigTest {
    private static final String MEMBER_A = """
            {"backstores": [{"name": "vm", "type": "rbd", "path": "rbd/vm1"}],
             "targets": [{"name": "nqn.2026-11.dev.ferry:gw", "protocol": "nvme", "portals": ["10.0.0.1:4420"],
                          "luns": [{"id": 1, "backstore": "vm"}],
                          "accessGroups": [{"id": 1, "state": "optimized", "portals": ["10.0.0.1:4420"]}]},
                         {"name": "iqn.2026-11.dev.ferry:gw", "portals": ["10.0.0.1:3260"],
                          "luns": [{"id": 0, "backstore": "vm"}], "acls": [{"initiator": "iqn.1993-08.org.debian:01:h1"}]}],
             "stateDirectory": "/var/lib/ferry-a",
             "gateway": {"group": "rbd/gw", "member": "a", "accessGroup": 1}}
            """;
    private static final Path SECRETS_A = Path.of("/etc/ferry-a/secrets");
    private static final Path SECRETS_B = Path.of("/etc/ferry-b/secrets");

    /** Member b: another host, its own file with only an iSCSI target and an NVMe portal in its gateway section. */
    private static final String MEMBER_B = """
            {"targets": [{"name": "iqn.2026-11.dev.ferry:old", "portals": ["10.0.0.2:3260"]}],
             "stateDirectory": "/var/lib/ferry-b",
             "gateway": {"group": "rbd/gw", "member": "b", "accessGroup": 2,
                         "portals": {"nvme": ["10.0.0.2:4420", "10.0.0.2:4421"]}}}
            """;

    @Test
    void theSharedPartHasNoPortalsAccessGroupsOrMemberSettings() throws Exception {
        FerryConfig shared = MemberConfig.shared(ConfigLoader.parse(MEMBER_A), SECRETS_A);
        assertNull(shared.gateway());
        assertNull(shared.stateDirectory());
        assertEquals(1, shared.backstores().size());
        assertEquals(2, shared.targets().size());
        shared.targets().forEach(t -> {
            assertEquals(List.of(), t.portals(), t.name());
            assertEquals(List.of(), t.accessGroupsOrEmpty(), t.name());
        });
        assertEquals(1, shared.targets().get(1).acls().size(), "ACLs are shared");
        assertEquals(shared, ConfigLoader.parse(ConfigLoader.toJson(shared)), "it survives the trip through RADOS");
    }

    @Test
    void eachMemberServesTheGroupsTargetsOnItsOwnPortals() throws Exception {
        FerryConfig a = ConfigLoader.parse(MEMBER_A);
        FerryConfig shared = MemberConfig.shared(a, SECRETS_A);
        FerryConfig asA = MemberConfig.merge(a, shared, SECRETS_A);
        assertEquals(List.of("10.0.0.1:4420"), asA.targets().get(0).portals());
        assertEquals(List.of("10.0.0.1:3260"), asA.targets().get(1).portals());
        assertEquals("/var/lib/ferry-a", asA.stateDirectory());
        assertEquals(a.gateway(), asA.gateway());

        FerryConfig b = ConfigLoader.parse(MEMBER_B);
        FerryConfig asB = MemberConfig.merge(b, shared, SECRETS_B);
        assertEquals(shared.backstores(), asB.backstores(), "the group's backstores replace the file's");
        assertEquals(List.of("10.0.0.2:4420", "10.0.0.2:4421"), asB.targets().get(0).portals(),
                "the gateway section's NVMe portals");
        assertEquals(List.of("10.0.0.2:3260"), asB.targets().get(1).portals(), "iSCSI: the file's targets' portals");
        assertEquals("iqn.2026-11.dev.ferry:gw", asB.targets().get(1).name(), "the file's own target is replaced");
        assertEquals("/var/lib/ferry-b", asB.stateDirectory());
        assertEquals(b.gateway(), asB.gateway());
    }

    /**
     * A secret the daemon keeps (given on standard input) is shared by name and becomes the file of that name in
     * each member's own secrets directory; any other secret file is shared by its path.
     */
    @Test
    void secretsInTheMembersSecretsDirectoryAreSharedByName() throws Exception {
        FerryConfig a = ConfigLoader.parse("""
                {"backstores": [{"name": "vm", "type": "rbd", "path": "rbd/vm1"}],
                 "targets": [{"name": "iqn.2026-11.dev.ferry:gw", "portals": ["10.0.0.1:3260"],
                              "luns": [{"id": 0, "backstore": "vm"}],
                              "acls": [{"initiator": "iqn.1993-08.org.debian:01:h1", "chapUser": "h1",
                                        "chapSecretFile": "/etc/ferry-a/secrets/chap-gw-h1",
                                        "mutualChapUser": "gw", "mutualChapSecretFile": "/etc/ferry/mutual"}]}],
                 "gateway": {"group": "rbd/gw", "member": "a", "accessGroup": 1}}
                """);
        FerryConfig shared = MemberConfig.shared(a, SECRETS_A);
        assertEquals("group-secret:chap-gw-h1", shared.targets().get(0).acls().get(0).chapSecretFile());
        assertEquals("/etc/ferry/mutual", shared.targets().get(0).acls().get(0).mutualChapSecretFile());
        assertEquals(java.util.Set.of("chap-gw-h1"), MemberConfig.secretNames(shared));

        FerryConfig asB = MemberConfig.merge(ConfigLoader.parse(MEMBER_B), shared, SECRETS_B);
        assertEquals("/etc/ferry-b/secrets/chap-gw-h1", asB.targets().get(0).acls().get(0).chapSecretFile());
        assertEquals("/etc/ferry/mutual", asB.targets().get(0).acls().get(0).mutualChapSecretFile());
        assertEquals(a.targets().get(0).acls(), MemberConfig.merge(a, shared, SECRETS_A).targets().get(0).acls(),
                "a's own view is unchanged");
    }

    @Test
    void aMemberWithoutPortalsForAProtocolLeavesItsTargetsOut() throws Exception {
        FerryConfig shared = MemberConfig.shared(ConfigLoader.parse(MEMBER_A), SECRETS_A);
        FerryConfig onlyIscsi = ConfigLoader.parse("""
                {"targets": [{"name": "iqn.2026-11.dev.ferry:x", "portals": ["10.0.0.3:3260"]}],
                 "gateway": {"group": "rbd/gw", "member": "c", "accessGroup": 3}}
                """);
        FerryConfig asC = MemberConfig.merge(onlyIscsi, shared, SECRETS_B);
        assertEquals(List.of("iqn.2026-11.dev.ferry:gw"), asC.targets().stream().map(t -> t.name()).toList());
        assertEquals(List.of("nqn.2026-11.dev.ferry:gw"), MemberConfig.unserved(onlyIscsi, shared));
        assertEquals(Map.of("iscsi", List.of("10.0.0.3:3260")), MemberConfig.portals(onlyIscsi));
        assertTrue(MemberConfig.unserved(ConfigLoader.parse(MEMBER_A), shared).isEmpty());
    }
}
