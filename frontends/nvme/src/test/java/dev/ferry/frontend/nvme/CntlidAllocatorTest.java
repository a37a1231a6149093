package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
