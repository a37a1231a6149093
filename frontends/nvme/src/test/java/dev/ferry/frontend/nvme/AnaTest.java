package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.access.AccessGroups;
import dev.ferry.core.access.AccessLayout;
import dev.ferry.core.access.AccessState;
import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Asymmetric Namespace Access (NVMe Base 2.0 8.1): the ANA log page and Identify fields as bytes written from the
 * specification, I/O refused with the path statuses in the inaccessible and change states, and the ANA Change event.
 */
class AnaTest {

    /** Publishes the harness subsystem (namespaces 1 and 2) with its one port in a group of the given state. */
    private static AccessGroups publish(ModelHarness h, String state) throws Exception {
        h.addUnit("disk1", 512, false);
        AccessGroups groups = new AccessGroups(ModelHarness.NQN, layout(state), h.registry::accessStateChanged);
        TreeMap<Long, LogicalUnit> ns = new TreeMap<>();
        ns.put(1L, h.units.get("disk0"));
        ns.put(2L, h.units.get("disk1"));
        h.registry.replace(h.units, List.of(new Export(ModelHarness.NQN, "nvme", null, h.portals, ns,
                List.of(dev.ferry.core.unit.InitiatorAccess.open(ModelHarness.HOST)), false,
                dev.ferry.core.config.IscsiTargetConfig.DEFAULTS, groups)));
        h.target.exportsChanged();
        return groups;
    }

    private static AccessLayout layout(String state) {
        return AccessLayout.of(List.of(new AccessGroupConfig(7, state, List.of("127.0.0.1:4420"))),
                List.of(new dev.ferry.core.config.Portal("127.0.0.1", 4420)), 4420);
    }

    private static ByteBuffer anaLog(boolean rgo, boolean rae) {
        ByteBuffer b = ModelHarness.getLogPage(0x0C, 64, rae);
        if (rgo) {
            b.putInt(40, b.getInt(40) | 1 << 8);
        }
        return b;
    }

    @Test
    void anaLogPageListsTheGroupStateAndNamespaces() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            AccessGroups groups = publish(h, "non-optimized");
            ModelHarness.FakeQueue admin = h.admin(0);
            // Figure 223/224: CHGCNT 0, NGRPS 1 | ANAGRPID 1, NNSID 2, CHGCNT 0, state 02h | NSIDs 1, 2 | zero padding
            String expected = "0000000000000000" + "0100" + "000000000000"
                    + "01000000" + "02000000" + "0000000000000000" + "02" + "00".repeat(15)
                    + "01000000" + "02000000" + "00".repeat(8);
            assertEquals(expected, HexFormat.of().formatHex(admin.run(anaLog(false, true), null).data()));

            groups.configure(layout("inaccessible"));
            String rgo = "0100000000000000" + "0100" + "000000000000"
                    + "01000000" + "00000000" + "0100000000000000" + "03" + "00".repeat(15) + "00".repeat(16);
            assertEquals(rgo, HexFormat.of().formatHex(admin.run(anaLog(true, true), null).data()),
                    "RGO: no NSIDs, NNSID 0; CHGCNT 1, Inaccessible");
        }
    }

    @Test
    void identifyAnnouncesAnaReporting() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            publish(h, "optimized");
            ModelHarness.FakeQueue admin = h.admin(0);
            byte[] id = admin.run(ModelHarness.identify(1, 0), null).data();
            ByteBuffer b = ModelHarness.le(id);
            assertEquals(0x0B, id[76], "CMIC: multi-port, multi-controller, ANA reporting");
            assertEquals(1 << 11, b.getInt(92) & 1 << 11, "OAES: ANA change notices");
            assertEquals(10, id[343], "ANATT");
            assertEquals(0x57, id[344], "ANACAP: optimized, non-optimized, inaccessible, change; static ANAGRPID");
            assertEquals(1, b.getInt(345), "ANAGRPMAX");
            assertEquals(1, b.getInt(349), "NANAGRPID");
            assertEquals(1024, b.getInt(540), "MNAN");
            byte[] ns = admin.run(ModelHarness.identify(0, 2), null).data();
            assertEquals(1, ModelHarness.le(ns).getInt(92), "ANAGRPID of the namespace");
        }
    }

    @Test
    void ioFollowsTheStateOfThePortsGroup() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            AccessGroups groups = publish(h, "optimized");
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            byte[] data = new byte[512];
            java.util.Arrays.fill(data, (byte) 5);
            assertEquals(0, io.run(IoCommandsTest.rw(0x01, 1, 0, 1), data).status());
            int[] expected = {0, 0, 0x302, 0x302, 0x303}; // SCT 3h: ANA Inaccessible 02h, ANA Transition 03h, no DNR
            for (AccessState s : AccessState.values()) {
                groups.configure(layout(s.label()));
                int want = expected[s.ordinal()];
                assertEquals(want, io.run(IoCommandsTest.rw(0x01, 1, 0, 1), data).status(), s + " write");
                assertEquals(want, io.run(IoCommandsTest.rw(0x02, 2, 0, 1), null).status(), s + " read");
                assertEquals(want, io.run(ModelHarness.sqe(0x00, 1), null).status(), s + " flush");
            }
            groups.configure(layout("optimized"));
            assertArrayEquals(data, io.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).data());
        }
    }

    @Test
    void aStateChangeCompletesAnAnaChangeEventUntilTheLogIsRead() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            AccessGroups groups = publish(h, "optimized");
            ModelHarness.FakeQueue admin = h.admin(0);
            assertEquals(0, admin.run(AdminCommandsTest.setFeature(0x0B, 1 << 11), null).status());
            admin.submit(ModelHarness.sqe(0x0C, 0), null);
            assertTrue(admin.done.isEmpty(), "the AER is held");
            groups.configure(layout("non-optimized"));
            assertEquals(0x000C0302, admin.next().result(), "Notice, ANA Change, log 0Ch");

            admin.submit(ModelHarness.sqe(0x0C, 0), null);
            groups.configure(layout("optimized"));
            admin.run(anaLog(false, true), null); // read with RAE: the event stays masked
            groups.configure(layout("non-optimized"));
            assertTrue(admin.done.isEmpty(), "masked until the log is read without RAE");
            ModelHarness.Done log = admin.run(anaLog(false, false), null);
            assertEquals(2, log.data()[32], "the log shows the latest state (ANA state byte of the descriptor)");
            groups.configure(layout("optimized"));
            assertEquals(0x000C0302, admin.next().result(), "re-armed by the read");
        }
    }
}
