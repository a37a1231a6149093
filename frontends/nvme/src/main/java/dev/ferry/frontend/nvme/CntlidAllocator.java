package dev.ferry.frontend.nvme;

import java.util.BitSet;

/**
 * Controller IDs of one subsystem (Base 2.0 Figure 275 CNTLID: 0001h-FFEFh valid, FFF0h and up reserved), handed
 * out round-robin so a freed ID is not reused at once. Not thread safe: its owner locks.
 */
final class CntlidAllocator {
    static final int MIN_CNTLID = 1;
    static final int MAX_CNTLID = 0xFFEF;

    private final BitSet used = new BitSet();
    private int next = MIN_CNTLID;

    /** The lowest free ID at or after the cursor, wrapping once; 0 when every ID is in use. Never loops. */
    int allocate() {
        int id = used.nextClearBit(next);
        if (id > MAX_CNTLID) {
            id = used.nextClearBit(MIN_CNTLID);
            if (id > MAX_CNTLID) {
                return 0;
            }
        }
        used.set(id);
        next = id == MAX_CNTLID ? MIN_CNTLID : id + 1;
        return id;
    }

    void free(int id) {
        used.clear(id);
    }

    int inUse() {
        return used.cardinality();
    }
}
