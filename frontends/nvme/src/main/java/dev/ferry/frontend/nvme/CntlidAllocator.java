package dev.ferry.frontend.nvme;

import dev.ferry.core.config.AccessGroupConfig;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Controller IDs of one subsystem (Base 2.0 Figure 275 CNTLID: 0001h-FFEFh valid, FFF0h and up reserved), handed
 * out round-robin so a freed ID is not reused at once. Not thread safe: its owner locks.
 */
final class CntlidAllocator {
    static final int MIN_CNTLID = 1;
    static final int MAX_CNTLID = 0xFFEF;

    /**
     * CNTLIDs per access group when a subsystem's ports are in explicit groups: the space split in
     * {@link AccessGroupConfig#MAX_ID} disjoint ranges, so that members of a gateway group (each its own access
     * group) never hand out the same ID in the one subsystem they all present: Linux rejects a second controller
     * with a CNTLID it already has in that subsystem ("Duplicate cntlid"), as nvmet's cntlid_min/max avoid.
     */
    static final int PER_GROUP = MAX_CNTLID / AccessGroupConfig.MAX_ID;

    private final BitSet used = new BitSet();
    /** The cursor of each range, by its first ID. */
    private final Map<Integer, Integer> next = new HashMap<>();

    /** The lowest free ID at or after the cursor, wrapping once; 0 when every ID is in use. Never loops. */
    int allocate() {
        return allocate(MIN_CNTLID, MAX_CNTLID);
    }

    /** As {@link #allocate()}, in the range of access group {@code group} (1-128; 0: the whole space). */
    int allocateForGroup(int group) {
        return group < 1 || group > AccessGroupConfig.MAX_ID ? allocate()
                : allocate((group - 1) * PER_GROUP + 1, group * PER_GROUP);
    }

    private int allocate(int min, int max) {
        int id = used.nextClearBit(next.getOrDefault(min, min));
        if (id > max) {
            id = used.nextClearBit(min);
            if (id > max) {
                return 0;
            }
        }
        used.set(id);
        next.put(min, id == max ? min : id + 1);
        return id;
    }

    void free(int id) {
        used.clear(id);
    }

    int inUse() {
        return used.cardinality();
    }
}
