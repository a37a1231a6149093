package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Controller IDs 0001h-FFEFh (Base 2.0 Figure 275): all of them, round robin, and a clean 0 when exhausted. */
class CntlidAllocatorTest {

    @Test
    void handsOutEveryValidIdOnceThenFailsCleanly() {
        CntlidAllocator ids = new CntlidAllocator();
        for (int expected = 1; expected <= 0xFFEF; expected++) {
            assertEquals(expected, ids.allocate());
        }
        assertEquals(0, ids.allocate(), "exhausted: no ID, no reserved FFF0h-FFFFh, no endless search");
        assertEquals(0, ids.allocate());
        ids.free(0x1234);
        assertEquals(0x1234, ids.allocate(), "a freed ID is found again");
        assertEquals(0xFFEF, ids.inUse());
    }

    @Test
    void aFreedIdIsNotReusedAtOnce() {
        CntlidAllocator ids = new CntlidAllocator();
        assertEquals(1, ids.allocate());
        ids.free(1);
        assertEquals(2, ids.allocate());
    }

    /**
     * Explicit access groups: each group's IDs from its own range of 511, disjoint from every other group's, so two
     * gateway members (groups 1 and 2) presenting one subsystem never hand out the same CNTLID; a range runs out
     * cleanly on its own, and IDs taken from the whole space are never handed out again in a range.
     */
    @Test
    void eachAccessGroupHasItsOwnRange() {
        CntlidAllocator ids = new CntlidAllocator();
        assertEquals(1, ids.allocateForGroup(1));
        assertEquals(512, ids.allocateForGroup(2));
        assertEquals(127 * 511 + 1, ids.allocateForGroup(128));
        assertEquals(2, ids.allocate(), "the whole space skips the IDs the ranges hold");
        for (int i = 0; i < 509; i++) {
            int id = ids.allocateForGroup(1);
            assertTrue(id >= 3 && id <= 511, "group 1 stays in 1-511: " + id);
        }
        assertEquals(0, ids.allocateForGroup(1), "group 1's range is exhausted: no ID, no search beyond it");
        assertEquals(513, ids.allocateForGroup(2), "other ranges are unaffected");
        ids.free(7);
        assertEquals(7, ids.allocateForGroup(1));
    }
}
