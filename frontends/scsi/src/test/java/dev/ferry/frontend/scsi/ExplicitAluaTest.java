package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.access.AccessGroups;
import dev.ferry.core.access.AccessLayout;
import dev.ferry.core.access.AccessState;
import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.LogicalUnit;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Explicit ALUA (SPC-4 5.15): TPGS 11b, REPORT TARGET PORT GROUPS with the core's states (6.37), SET TARGET PORT
 * GROUPS (6.49) and its errors, the commands each state serves, and ASYMMETRIC ACCESS STATE CHANGED.
 */
class ExplicitAluaTest {
    static final String NAME = "iqn.2026-01.dev.ferry:disk";
    static final Portal P1 = new Portal("10.0.0.1", 3260);
    static final Portal P2 = new Portal("10.0.0.2", 3260);
    /** A nexus through group 1's port and one through group 2's. */
    static final ItNexus G1 = new ItNexus("iqn.1994-05.com.redhat:a,i,0x1", "iqn.1994-05.com.redhat:a", 1,
            ScsiPort.iscsi(NAME, 1));
    static final ItNexus G2 = new ItNexus("iqn.1994-05.com.redhat:a,i,0x2", "iqn.1994-05.com.redhat:a", 2,
            ScsiPort.iscsi(NAME, 2));

    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));
    private final AccessGroups groups;

    ExplicitAluaTest() {
        groups = new AccessGroups(NAME, layout("optimized", "non-optimized"), (g, origin) -> h.target.accessStateChanged(origin));
        TreeMap<Long, LogicalUnit> luns = new TreeMap<>();
        luns.put(0L, h.units.get(0));
        h.target = new ScsiTarget(new Export(NAME, "iscsi", null, List.of(P1, P2), luns,
                List.of(InitiatorAccess.open("iqn.1994-05.com.redhat:a")), false, IscsiTargetConfig.DEFAULTS, groups));
        h.run(G1, 0, cdb(0x00), 0, null).assertGood(); // both nexuses exist before any change
        h.run(G2, 0, cdb(0x00), 0, null).assertGood();
    }

    private static AccessLayout layout(String one, String two) {
        return AccessLayout.of(List.of(new AccessGroupConfig(1, one, List.of("10.0.0.1:3260")),
                new AccessGroupConfig(2, two, List.of("10.0.0.2:3260"))), List.of(P1, P2), 3260);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private TargetHarness.Response rtpg(ItNexus n) {
        return h.run(n, 0, cdb(0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0), 1024, null);
    }

    private TargetHarness.Response stpg(ItNexus n, byte[] list) {
        return h.run(n, 0, cdb(0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, list.length, 0, 0), list.length, list);
    }

    @Test
    void inquiryReportsImplicitAndExplicitAlua() {
        assertEquals(0x30, h.run(G1, 0, cdb(0x12, 0, 0, 0, 96, 0), 96, null).assertGood().data()[5] & 0x30);
    }

    @Test
    void deviceIdentificationNamesTheNexussTargetPortGroup() {
        byte[] vpd = h.run(G2, 0, cdb(0x12, 1, 0x83, 0, 255, 0), 255, null).assertGood().data();
        int group = -1;
        for (int at = 4; at + 4 <= vpd.length; at += 4 + (vpd[at + 3] & 0xFF)) {
            if ((vpd[at + 1] & 0x0F) == 0x5) { // DESIGNATOR TYPE 5h: target port group (SPC-4 7.8.6.7)
                group = ((vpd[at + 6] & 0xFF) << 8) | (vpd[at + 7] & 0xFF);
            }
        }
        assertEquals(2, group);
    }

    @Test
    void reportListsEveryGroupWithItsStateAndSupportedStates() {
        assertArrayEquals(new byte[] {0, 0, 0, 24,
                0x00, (byte) 0x8F, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,  // active/optimized, T U S AN AO _SUP, group 1, port 1
                0x01, (byte) 0x8F, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2}, // active/non-optimized, group 2, port 2
                rtpg(G1).assertGood().data());
    }

    @Test
    void setChangesTheStateAndTellsTheOtherNexuses() {
        stpg(G1, new byte[] {0, 0, 0, 0, 0x02, 0, 0, 2, 0x01, 0, 0, 1}).assertGood(); // 2 standby, 1 non-optimized
        assertEquals(AccessState.STANDBY, groups.layout().group(2).state());
        assertEquals(AccessState.ACTIVE_NON_OPTIMIZED, groups.layout().group(1).state());
        h.run(G2, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x06);
        h.run(G1, 0, cdb(0x00), 0, null).assertGood(); // the nexus that set the states gets no unit attention
        byte[] d = rtpg(G2).assertGood().data();
        assertEquals(0x01, d[4], "group 1 active/non-optimized");
        assertEquals(0x02, d[16], "group 2 standby");
        h.run(G2, 0, TargetHarness.read10(0, 1), 512, null).assertCheck(SenseData.NOT_READY, 0x04, 0x0B);
    }

    @Test
    void setRefusesBadListsAndChangesNothing() {
        stpg(G1, new byte[] {0, 0, 0, 0, 0x0E, 0, 0, 2}).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00); // offline
        stpg(G1, new byte[] {0, 0, 0, 0, 0x0F, 0, 0, 2}).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00); // transitioning
        stpg(G1, new byte[] {0, 0, 0, 0, 0x02, 0, 0, 9}).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00); // no group 9
        stpg(G1, new byte[] {0, 0, 0, 0, 0x12, 0, 0, 2}).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00); // reserved
        stpg(G1, new byte[] {0, 0, 0, 0, 0x02, 0}).assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00); // half a descriptor
        stpg(G1, new byte[] {0, 0, 0, 0, 0x02, 0, 0, 1, 0x03, 0, 0, 7})
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00); // the second is bad: the first is not applied
        assertEquals(AccessState.ACTIVE_OPTIMIZED, groups.layout().group(1).state());
        assertEquals(0, groups.changeCount());
        h.run(G1, 0, cdb(0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0), 4096, new byte[4096])
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00); // longer than every group once
    }

    @Test
    void eachStateServesItsCommands() {
        // state -> ASCQ of LOGICAL UNIT NOT ACCESSIBLE for READ(10) (0: served); MODE SENSE(6) only in standby too
        int[] readAscq = {0, 0, 0x0B, 0x0C, 0x0A};
        boolean[] modeSense = {true, true, true, false, false};
        for (AccessState s : AccessState.values()) {
            groups.configure(layout("optimized", s.label()));
            h.run(G2, 0, cdb(0x12, 0, 0, 0, 96, 0), 96, null).assertGood(); // INQUIRY: no UA, always served
            TargetHarness.Response tur = h.run(G2, 0, cdb(0x00), 0, null);
            if (tur.status() != 0) {
                tur.assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x06); // the first command sees the change
            }
            TargetHarness.Response read = h.run(G2, 0, TargetHarness.read10(0, 1), 512, null);
            if (readAscq[s.ordinal()] == 0) {
                read.assertGood();
            } else {
                read.assertCheck(SenseData.NOT_READY, 0x04, readAscq[s.ordinal()]);
            }
            TargetHarness.Response mode = h.run(G2, 0, cdb(0x1A, 0, 0x3F, 0, 255, 0), 255, null);
            if (modeSense[s.ordinal()]) {
                mode.assertGood();
            } else {
                mode.assertCheck(SenseData.NOT_READY, 0x04, readAscq[s.ordinal()]);
            }
            h.run(G2, 0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, null).assertGood(); // REPORT LUNS
            rtpg(G2).assertGood();
            h.run(G1, 0, cdb(0x00), 0, null); // the other group's nexus takes its unit attention
            h.run(G1, 0, TargetHarness.read10(0, 1), 512, null).assertGood(); // group 1 stays optimized
        }
    }
}
