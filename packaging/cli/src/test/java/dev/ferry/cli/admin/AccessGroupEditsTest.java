package dev.ferry.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.TargetConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessGroupEditsTest {
    static final TargetConfig T = new TargetConfig("nqn.2026-11.dev.ferry:s", "nvme",
            List.of("10.0.0.1:4420", "10.0.0.2"), List.of(), List.of(), true, null);

    @Test
    void aPortMovesBetweenGroupsUnderOneSpelling() throws Exception {
        TargetConfig t = AccessGroupEdits.assign(T, "10.0.0.2:4420", 2);
        assertEquals(List.of(new AccessGroupConfig(2, "optimized", List.of("10.0.0.2:4420"))), t.accessGroups());
        t = AccessGroupEdits.assign(t, "10.0.0.2", 3); // the same portal written another way
        assertEquals(List.of(new AccessGroupConfig(2, "optimized", List.of()),
                new AccessGroupConfig(3, "optimized", List.of("10.0.0.2:4420"))), t.accessGroups());
        assertTrue(assertThrows(Refused.class, () -> AccessGroupEdits.assign(T, "10.0.0.3:4420", 2)).getMessage()
                .contains("is not a portal of"));
    }

    @Test
    void statesAreNormalisedAndGroupOneNeedsNoPort() throws Exception {
        TargetConfig t = AccessGroupEdits.setState(T, 1, "Inaccessible");
        assertEquals(List.of(new AccessGroupConfig(1, "standby", List.of())), t.accessGroups());
        assertTrue(assertThrows(Refused.class, () -> AccessGroupEdits.setState(T, 2, "optimized")).getMessage()
                .contains("has no access group 2"));
        assertTrue(assertThrows(Refused.class, () -> AccessGroupEdits.setState(T, 1, "asleep")).getMessage()
                .contains("unknown state 'asleep'"));
    }

    @Test
    void aRemovedPortalLeavesItsGroup() throws Exception {
        TargetConfig t = ConfigEdits.removePortal(AccessGroupEdits.assign(T, "10.0.0.2", 2), "10.0.0.2");
        assertEquals(List.of(new AccessGroupConfig(2, "optimized", List.of())), t.accessGroups());
        assertNull(ConfigEdits.removePortal(T, "10.0.0.2").accessGroups(), "no groups stay no groups");
    }
}
