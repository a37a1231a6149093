package dev.ferry.core.unit;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;

/**
 * The volatile write cache setting of one logical unit, the same whichever protocol reads or changes it: the SCSI
 * Caching mode page's WCE (SBC-3 6.4.5) and the NVMe Volatile Write Cache feature (Base 2.0 5.27.1.4) are two views
 * of this one value. With the cache turned off every write-class request is made durable before it completes
 * ({@link LogicalUnit#submit} sets FUA), so no frontend can forget it. Starts at the backend's setting; a logical
 * unit reset returns to it.
 */
public final class WriteCache {
    private final boolean present;
    private final boolean defaultEnabled;
    private volatile boolean enabled;

    WriteCache(BackendDescriptor d) {
        this.present = d.volatileWriteCache();
        this.defaultEnabled = present && d.writeCacheEnabled();
        this.enabled = defaultEnabled;
    }

    /** A volatile cache exists, so it can be switched (SCSI WCE changeable, NVMe VWC present). */
    public boolean present() {
        return present;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean defaultEnabled() {
        return defaultEnabled;
    }

    /** Switches the cache; false (and nothing changes) when there is no cache to switch. */
    public boolean setEnabled(boolean on) {
        if (!present) {
            return false;
        }
        enabled = on;
        return true;
    }

    /** Back to the backend's setting (SCSI logical unit reset: mode parameters return to their saved values). */
    public void reset() {
        enabled = defaultEnabled;
    }

    /**
     * Whether a request must reach stable storage before it completes: it asked for that (FUA), or it writes the
     * medium while the cache is off (write-through).
     */
    public boolean forcesUnitAccess(BlockOp op, boolean fua) {
        return fua || (op.writesMedium() && present && !enabled);
    }
}
