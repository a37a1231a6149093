package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A Connect that looked the subsystem up just before a reconfiguration was published, and creates its controller
 * before the transport passed the change on: the new controller must follow the new snapshot like the others.
 */
class ConnectDuringReconfigurationTest {

    /** Publishes the subsystem without telling the target, as the registry swap does before the transport acts. */
    private static void publishSilently(ModelHarness h, Set<String> hosts, String... backstores) {
        TreeMap<Long, LogicalUnit> ns = new TreeMap<>();
        for (int i = 0; i < backstores.length; i++) {
            ns.put((long) i + 1, h.units.get(backstores[i]));
        }
        h.registry.replace(h.units, List.of(new Export(ModelHarness.NQN, "nvme", null, h.portals, ns, hosts, false)));
    }

    @Test
    void aControllerCreatedFromTheOlderSnapshotGetsTheNewOne() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            Export seenByConnect = h.target.subsystem(ModelHarness.NQN);
            h.addUnit("disk1", 512, false);
            publishSilently(h, Set.of(ModelHarness.HOST), "disk0", "disk1");
            Controller c = h.target.createController(ModelHarness.NQN, seenByConnect, ModelHarness.HOST,
                    UUID.randomUUID(), 0);
            assertFalse(c.isDeleted());
            assertSame(h.target.subsystem(ModelHarness.NQN), c.export());
            assertEquals(List.of(2L), c.changedNamespaces(true), "namespace 2 appeared since Connect looked");
        }
    }

    @Test
    void aHostRemovedWhileItConnectsGetsNoController() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            Export seenByConnect = h.target.subsystem(ModelHarness.NQN);
            publishSilently(h, Set.of("nqn.2014-08.org.example:someone-else"), "disk0");
            Controller c = h.target.createController(ModelHarness.NQN, seenByConnect, ModelHarness.HOST,
                    UUID.randomUUID(), 0);
            assertTrue(c.isDeleted());
            assertNull(h.target.controller(ModelHarness.NQN, c.cntlid()));
            assertFalse(c.attach(0, h.queue().queue), "Connect then answers Connect Invalid Host");
        }
    }
}
