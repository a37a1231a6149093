package dev.ferry.frontend.nvme;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.admin.IdentifyCommandSet;
import dev.ferry.frontend.nvme.spec.Status;

/**
 * Set/Get Features state of one controller (NVMe Base 2.0 5.27.1): the features a Linux or nvme-cli host touches.
 * Save/Select is not supported (ONCS bit 4 clear), so nothing is saveable and SEL is answered with current values.
 */
public final class Features {
    // Feature identifiers (5.27.1 Figure 317)
    public static final int ARBITRATION = 0x01;
    public static final int POWER_MANAGEMENT = 0x02;
    public static final int VOLATILE_WRITE_CACHE = 0x06;
    public static final int NUMBER_OF_QUEUES = 0x07;
    public static final int ASYNC_EVENT_CONFIGURATION = 0x0B;
    public static final int KEEP_ALIVE_TIMER = 0x0F;
    /** I/O Command Set Profile (Base 2.0 5.27.1.21): CDW11 8:0 the I/O Command Set Combination Index (IOCSCI). */
    public static final int IO_COMMAND_SET_PROFILE = 0x19;

    /** Asynchronous events this controller can generate (5.27.1.7): namespace attribute and discovery changes. */
    private static final int AEC_SUPPORTED = AsyncEvents.AEC_NAMESPACE_ATTRIBUTE | AsyncEvents.AEC_DISCOVERY_LOG_CHANGE
            | Ana.AEC_ANA_CHANGE;

    private final Controller controller;
    private int arbitration;
    private int powerManagement;
    private volatile int asyncEventConfig;
    private volatile int ioQueuesAllocated = Limits.MAX_IO_QUEUES;

    Features(Controller controller) {
        this.controller = controller;
    }

    public int ioQueuesAllocated() {
        return ioQueuesAllocated;
    }

    public boolean asyncEventEnabled(int bit) {
        return (asyncEventConfig & bit) != 0;
    }

    /** Result of a Set Features command: status, and CQE DW0 in the low 32 bits of {@code result[0]}. */
    public synchronized int set(int fid, int cdw11, long[] result, boolean writeCachePresent) {
        if (controller.isDiscovery() && fid != KEEP_ALIVE_TIMER && fid != ASYNC_EVENT_CONFIGURATION) {
            return Status.INVALID_FIELD;
        }
        switch (fid) {
            case ARBITRATION -> arbitration = cdw11;
            case POWER_MANAGEMENT -> {
                if ((cdw11 & 0x1F) != 0) {
                    return Status.INVALID_FIELD; // NPSS = 0: power state 0 is the only one
                }
                powerManagement = cdw11;
            }
            case VOLATILE_WRITE_CACHE -> {
                if (!writeCachePresent) {
                    return Status.INVALID_FIELD;
                }
                setWriteCache((cdw11 & 1) != 0);
            }
            case NUMBER_OF_QUEUES -> {
                int nsqr = cdw11 & 0xFFFF;
                int ncqr = cdw11 >>> 16;
                if (nsqr == 0xFFFF || ncqr == 0xFFFF) {
                    return Status.INVALID_FIELD;
                }
                // Asked again once I/O queues exist (a host re-running its setup): the allocation those queues were
                // admitted under stays and is answered, as nvmet always answers it; SPDK's Command Sequence Error
                // helps no host, and a shrink now would strand queues already connected.
                if (!controller.hasIoQueues()) {
                    // One connection is one SQ/CQ pair, so both counts are the same.
                    int wanted = Math.max(nsqr, ncqr) + 1;
                    ioQueuesAllocated = Math.min(wanted, Limits.MAX_IO_QUEUES);
                }
                result[0] = numberOfQueuesResult();
            }
            case ASYNC_EVENT_CONFIGURATION -> asyncEventConfig = cdw11 & AEC_SUPPORTED;
            case KEEP_ALIVE_TIMER -> controller.keepAliveMillis(cdw11 & 0xFFFFFFFFL);
            case IO_COMMAND_SET_PROFILE -> {
                // Only combination 0 (NVM alone) exists, so selecting it changes nothing and the value is not kept.
                if (!IdentifyCommandSet.validCombination(cdw11 & 0x1FF)) {
                    return Status.IO_COMMAND_SET_COMBINATION_REJECTED;
                }
            }
            default -> {
                return Status.INVALID_FIELD;
            }
        }
        return Status.SUCCESS;
    }

    public synchronized int get(int fid, long[] result, boolean writeCachePresent) {
        if (controller.isDiscovery() && fid != KEEP_ALIVE_TIMER && fid != ASYNC_EVENT_CONFIGURATION) {
            return Status.INVALID_FIELD;
        }
        switch (fid) {
            case ARBITRATION -> result[0] = arbitration & 0xFFFFFFFFL;
            case POWER_MANAGEMENT -> result[0] = powerManagement & 0xFFFFFFFFL;
            case VOLATILE_WRITE_CACHE -> {
                if (!writeCachePresent) {
                    return Status.INVALID_FIELD;
                }
                result[0] = writeCacheEnabled() ? 1 : 0;
            }
            case NUMBER_OF_QUEUES -> result[0] = numberOfQueuesResult();
            case ASYNC_EVENT_CONFIGURATION -> result[0] = asyncEventConfig & 0xFFFFFFFFL;
            case KEEP_ALIVE_TIMER -> result[0] = controller.keepAliveMillis();
            case IO_COMMAND_SET_PROFILE -> result[0] = 0; // IOCSCI 0: the only combination (Identify CNS 1Ch)
            default -> {
                return Status.INVALID_FIELD;
            }
        }
        return Status.SUCCESS;
    }

    /**
     * The Volatile Write Cache feature is controller-wide (5.27.1.4), and the cache setting belongs to each logical
     * unit, shared with SCSI's WCE: WCE=0 switches off the cache of every namespace that has one, after which the
     * core makes each write durable before it completes.
     */
    private void setWriteCache(boolean on) {
        for (LogicalUnit u : controller.namespaces().values()) {
            u.writeCache().setEnabled(on, controller);
        }
    }

    /** Enabled while any namespace's cache is: the host must keep flushing then. */
    private boolean writeCacheEnabled() {
        for (LogicalUnit u : controller.namespaces().values()) {
            if (u.writeCache().present() && u.writeCache().enabled()) {
                return true;
            }
        }
        return false;
    }

    /** DW0: NSQA 15:0, NCQA 31:16, both 0's based. */
    private long numberOfQueuesResult() {
        long n = ioQueuesAllocated - 1;
        return n | (n << 16);
    }
}
