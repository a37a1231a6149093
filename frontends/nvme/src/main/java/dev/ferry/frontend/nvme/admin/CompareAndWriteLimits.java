package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.Controller;

/**
 * What Identify Controller says of fused Compare and Write (NVMe Base 2.0 Figure 275). FUSES and ACWU are
 * controller-wide while the limit is each namespace's backend's
 * ({@link dev.ferry.core.backend.BackendDescriptor#maxCompareAndWriteBlocks}): FUSES bit 0 is set while any
 * namespace compares at least one block (a pair on a namespace that compares none, or longer than its limit, is
 * refused with Invalid Field), and ACWU stays 0, one block, which every such namespace takes atomically.
 */
final class CompareAndWriteLimits {
    private CompareAndWriteLimits() {
    }

    /** True when some namespace takes a fused Compare and Write of one block, or the controller has none yet. */
    static boolean anyNamespaceCompares(Controller c) {
        if (c.namespaces().isEmpty()) {
            return true; // namespaces may be added live; the field keeps what it said before any existed
        }
        for (LogicalUnit u : c.namespaces().values()) {
            if (u.descriptor().maxCompareAndWriteBlocks() >= 1) {
                return true;
            }
        }
        return false;
    }
}
