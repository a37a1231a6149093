package dev.ferry.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.ConfigValidator;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.Portal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessGroupsTest {
    private static final Portal A = new Portal("10.0.0.1", 4420);
    private static final Portal B = new Portal("10.0.0.2", 4420);
    private static final Portal C = new Portal("10.0.0.3", 4420);

    private final List<Object> events = new ArrayList<>();

    @Test
    void statesCarryTheirScsiAndNvmeCodes() {
        // SPC-4 Table 216 and NVMe Base 2.0 Figure 225
        assertEquals(List.of(0x0, 0x1, 0x2, 0x3, 0xF),
                List.of(AccessState.values()).stream().map(AccessState::scsiCode).toList());
        assertEquals(List.of(0x01, 0x02, 0x03, 0x03, 0x0F),
                List.of(AccessState.values()).stream().map(AccessState::anaCode).toList());
        assertEquals(AccessState.STANDBY, AccessState.parse("Inaccessible"));
        assertEquals(AccessState.TRANSITIONING, AccessState.parse("change"));
        assertEquals(AccessState.ACTIVE_NON_OPTIMIZED, AccessState.parse("non-optimized"));
        assertNull(AccessState.parse("offline"));
        assertNull(AccessState.ofScsiCode(0xE));
    }

    @Test
    void withoutGroupsEverythingIsOptimizedInGroupOne() {
        AccessLayout l = AccessLayout.of(List.of(), List.of(A, B), 4420);
        assertFalse(l.explicit());
        assertEquals(1, l.groups().size());
        assertEquals(AccessState.ACTIVE_OPTIMIZED, l.groupOf(B).state());
        assertEquals(1, l.groupOf(B).id());
        assertEquals(1, l.groupOf(null).id(), "a connection whose portal is unknown is in group 1");
    }

    @Test
    void portalsInNoGroupAreInGroupOne() {
        AccessLayout l = AccessLayout.of(List.of(new AccessGroupConfig(2, "non-optimized", List.of("10.0.0.2:4420"))),
                List.of(A, B, C), 4420);
        assertTrue(l.explicit());
        assertEquals(List.of(1, 2), l.groups().stream().map(AccessLayout.Group::id).toList());
        assertEquals(List.of(A, C), l.group(1).portals());
        assertEquals(AccessState.ACTIVE_OPTIMIZED, l.groupOf(A).state());
        assertEquals(AccessState.ACTIVE_NON_OPTIMIZED, l.groupOf(B).state());
    }

    @Test
    void aConfigurationChangeIsAnnouncedAndCounted() {
        AccessLayout first = layout("optimized", "non-optimized");
        AccessGroups g = new AccessGroups("nqn.x", first, (groups, origin) -> events.add(origin));
        g.configure(layout("optimized", "non-optimized"));
        assertEquals(0, g.changeCount(), "the same layout again is no change");
        assertTrue(events.isEmpty());
        g.configure(layout("non-optimized", "optimized"));
        assertEquals(1, g.changeCount());
        assertEquals(AccessState.ACTIVE_OPTIMIZED, g.layout().groupOf(B).state());
        assertEquals(1, events.size());
    }

    @Test
    void initiatorSetStatesStayUntilTheConfigurationChanges() {
        AccessGroups g = new AccessGroups("iqn.x", layout("optimized", "non-optimized"), (groups, o) -> events.add(o));
        Object nexus = new Object();
        assertTrue(g.setStates(Map.of(2, AccessState.STANDBY), nexus));
        assertEquals(List.of(nexus), events);
        g.configure(layout("optimized", "non-optimized")); // an unrelated reconfiguration
        assertEquals(AccessState.STANDBY, g.layout().group(2).state());
        assertFalse(g.setStates(Map.of(9, AccessState.STANDBY), nexus), "no group 9");
        assertEquals(1, g.changeCount());
        g.configure(layout("optimized", "unavailable"));
        assertEquals(AccessState.UNAVAILABLE, g.layout().group(2).state());
        assertEquals(2, g.changeCount());
    }

    private static AccessLayout layout(String one, String two) {
        return AccessLayout.of(List.of(new AccessGroupConfig(1, one, List.of("10.0.0.1:4420")),
                new AccessGroupConfig(2, two, List.of("10.0.0.2"))), List.of(A, B), 4420);
    }

    @Test
    void theValidatorNamesEveryBadGroupField() throws Exception {
        FerryConfig c = ConfigLoader.parse("""
                {"targets": [{"name": "nqn.2026-11.dev.ferry:s", "protocol": "nvme",
                  "portals": ["10.0.0.1:4420", "10.0.0.2:4420"],
                  "accessGroups": [{"id": 0, "state": "sleepy", "portals": ["10.0.0.9:4420"]},
                                   {"id": 2, "portals": ["10.0.0.1"]}, {"id": 2, "portals": ["10.0.0.1:4420"]}]}]}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> validator().validate(c));
        String m = e.getMessage();
        assertTrue(m.contains("targets[0].accessGroups[0].id: 0 must be 1-128"), m);
        assertTrue(m.contains("targets[0].accessGroups[0].state: unknown state 'sleepy'"), m);
        assertTrue(m.contains("targets[0].accessGroups[0].portals[0]: 10.0.0.9:4420 is not one of the target's"), m);
        assertTrue(m.contains("targets[0].accessGroups[2].id: group 2 is listed twice"), m);
        assertTrue(m.contains("targets[0].accessGroups[2].portals[0]: 10.0.0.1:4420 is already in group 2"), m);
    }

    @Test
    void groupsSurviveAJsonRoundTrip() throws Exception {
        FerryConfig c = ConfigLoader.parse("""
                {"targets": [{"name": "nqn.2026-11.dev.ferry:s", "protocol": "nvme", "portals": ["10.0.0.1:4420"],
                  "accessGroups": [{"id": 3, "state": "standby", "portals": ["10.0.0.1:4420"]}]}]}
                """);
        validator().validate(c);
        assertEquals(c, ConfigLoader.parse(ConfigLoader.toJson(c)));
    }

    private static ConfigValidator validator() {
        BackendFactory none = new BackendFactory() {
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
        return new ConfigValidator(Map.of("ram", none), Set.of("iscsi", "nvme"));
    }
}
