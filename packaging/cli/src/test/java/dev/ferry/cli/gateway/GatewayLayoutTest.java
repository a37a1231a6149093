package dev.ferry.cli.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.gateway.GroupState;
import dev.ferry.gateway.GroupState.Member;
import dev.ferry.gateway.GroupState.Owner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ownership to access groups: one group per member, the owner's optimized, the lease and fencing respected. */
class GatewayLayoutTest {
    private static final String CONFIG = """
            {"backstores": [{"name": "vm", "type": "rbd", "path": "rbd/vm1:conf=/c:keyring=/k"},
                            {"name": "scratch", "type": "ram", "size": "1M"}],
             "targets": [{"name": "nqn.2026-11.dev.ferry:gw", "protocol": "nvme", "portals": ["127.0.0.1:4420"],
                          "luns": [{"id": 1, "backstore": "vm"}]},
                         {"name": "iqn.2026-11.dev.ferry:gw", "portals": ["127.0.0.1:3260"],
                          "luns": [{"id": 0, "backstore": "vm"}]},
                         {"name": "iqn.2026-11.dev.ferry:local", "portals": ["127.0.0.1:3261"],
                          "luns": [{"id": 0, "backstore": "scratch"}]}]}
            """;

    private static GroupState group(String owner, boolean bFenced) {
        Map<String, Member> members = Map.of(
                "a", new Member(List.of("127.0.0.1:4420"), "addr-a", 1, false, 1, List.of()),
                "b", new Member(List.of("127.0.0.1:4421"), "addr-b", 2, bFenced, 2, List.of()),
                "admin-only", new Member(List.of(), null, 0, false));
        return new GroupState(members, owner == null ? Map.of() : Map.of("rbd/vm1", new Owner(owner, 1)));
    }

    @Test
    void theOwnerIsOptimizedAndEveryMemberIsListed() throws Exception {
        FerryConfig c = ConfigLoader.parse(CONFIG);
        FerryConfig asA = GatewayLayout.apply(c, group("a", false), "a", 1, true);
        assertEquals(List.of(new AccessGroupConfig(1, "optimized", List.of("127.0.0.1:4420")),
                new AccessGroupConfig(2, "non-optimized", List.of())), asA.targets().get(0).accessGroups());
        assertEquals(List.of(new AccessGroupConfig(1, "optimized", List.of("127.0.0.1:3260")),
                new AccessGroupConfig(2, "non-optimized", List.of())), asA.targets().get(1).accessGroups());
        assertSame(c.targets().get(2), asA.targets().get(2), "a target without group images keeps its groups");

        FerryConfig asB = GatewayLayout.apply(c, group("a", false), "b", 2, true);
        assertEquals(List.of(new AccessGroupConfig(1, "optimized", List.of()),
                new AccessGroupConfig(2, "non-optimized", List.of("127.0.0.1:4420"))),
                asB.targets().get(0).accessGroups());
    }

    @Test
    void noLeaseMeansStandbyAndAFencedMemberIsUnavailable() throws Exception {
        FerryConfig c = ConfigLoader.parse(CONFIG);
        assertEquals(List.of(new AccessGroupConfig(1, "optimized", List.of()),
                new AccessGroupConfig(2, "standby", List.of("127.0.0.1:4420"))),
                GatewayLayout.apply(c, group("a", false), "b", 2, false).targets().get(0).accessGroups());
        assertEquals(List.of(new AccessGroupConfig(1, "optimized", List.of("127.0.0.1:4420")),
                new AccessGroupConfig(2, "unavailable", List.of())),
                GatewayLayout.apply(c, group("a", true), "a", 1, true).targets().get(0).accessGroups());
        assertEquals(List.of(new AccessGroupConfig(1, "non-optimized", List.of("127.0.0.1:4420")),
                new AccessGroupConfig(2, "non-optimized", List.of())),
                GatewayLayout.apply(c, group(null, false), "a", 1, true).targets().get(0).accessGroups(),
                "an unowned image is optimized nowhere");
    }
}
