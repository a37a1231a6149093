package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.B;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.LogicalUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What each I_T nexus sees is worked out once per target and nexus ({@link NexusView}), not per command: these check
 * that the kept view is exact for high and sparse LUN numbers and follows every reconfiguration of the ACLs.
 */
class LunVisibilityTest {
    static final ItNexus C = TargetHarness.nexus("iqn.1994-05.com.redhat:c", 0x23D000000003L);
    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 64), TargetHarness.disk("d1", 64),
            TargetHarness.disk("d2", 64), TargetHarness.disk("d3", 64));

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private Export export(Map<Long, LogicalUnit> units, List<InitiatorAccess> acl) {
        return new Export("iqn.2026-01.dev.ferry:disk", "iscsi", null, List.of(), new TreeMap<>(units), acl, false);
    }

    private int read(ItNexus n, long lun) {
        return h.run(n, lun, read10(0, 1), 512, null).status();
    }

    @Test
    void masksOfHighAndSparseLunsAreExact() {
        Map<Long, LogicalUnit> units = Map.of(63L, h.units.get(0), 64L, h.units.get(1), 200L, h.units.get(2),
                16383L, h.units.get(3));
        h.target = new ScsiTarget(export(units, List.of(
                new InitiatorAccess(A.initiatorName(), null, null, Set.of(64L, 16383L, 5L)),
                InitiatorAccess.open(B.initiatorName()))));
        for (int round = 0; round < 2; round++) { // the first command of a nexus works its view out, later ones keep it
            assertFalse(h.target.hasLun(Luns.encode(63), A));
            assertTrue(h.target.hasLun(Luns.encode(64), A));
            assertFalse(h.target.hasLun(Luns.encode(200), A));
            assertTrue(h.target.hasLun(Luns.encode(16383), A));
            assertFalse(h.target.hasLun(Luns.encode(5), A), "a masked-in LUN the export lacks is absent");
            for (long lun : List.of(63L, 64L, 200L, 16383L)) {
                assertTrue(h.target.hasLun(Luns.encode(lun), B), "no mask: every LUN");
                assertFalse(h.target.hasLun(Luns.encode(lun), C), "not in the ACL: nothing");
                assertEquals(ScsiResponse.GOOD, read(B, lun));
            }
            h.run(A, 63, read10(0, 1), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
            h.run(A, 200, read10(0, 1), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
            h.run(C, 64, read10(0, 1), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
            assertEquals(ScsiResponse.GOOD, read(A, 64));
            assertEquals(ScsiResponse.GOOD, read(A, 16383));
        }
    }

    @Test
    void aSuccessorTargetAppliesTheNewMasksToNexusesAlreadySeen() {
        Map<Long, LogicalUnit> units = Map.of(0L, h.units.get(0), 1L, h.units.get(1));
        h.target = new ScsiTarget(export(units, List.of(InitiatorAccess.open(A.initiatorName()))));
        assertEquals(ScsiResponse.GOOD, read(A, 0));
        assertEquals(ScsiResponse.GOOD, read(A, 1));

        h.target = h.target.successor(export(units, List.of(
                new InitiatorAccess(A.initiatorName(), null, null, Set.of(1L)))));
        h.run(A, 0, read10(0, 1), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
        h.run(A, 1, read10(0, 1), 512, null).assertCheck(SenseData.UNIT_ATTENTION, 0x3F, 0x0E);
        assertEquals(ScsiResponse.GOOD, read(A, 1));
        assertFalse(h.target.hasLun(Luns.encode(0), A));

        h.target = h.target.successor(export(units, List.of(InitiatorAccess.open(B.initiatorName()))));
        h.run(A, 1, read10(0, 1), 512, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x25, 0x00);
        assertFalse(h.target.hasLun(Luns.encode(1), A), "A left the ACL");

        h.target = h.target.successor(export(units, List.of(InitiatorAccess.open(A.initiatorName()))));
        h.run(A, 0, read10(0, 1), 512, null).assertCheck(SenseData.UNIT_ATTENTION, 0x3F, 0x0E);
        assertEquals(ScsiResponse.GOOD, read(A, 0));
        assertTrue(h.target.hasLun(Luns.encode(1), A));
    }
}
