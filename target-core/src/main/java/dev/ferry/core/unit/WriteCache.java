package dev.ferry.core.unit;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The volatile write cache setting of one logical unit, the same whichever protocol reads or changes it: the SCSI
 * Caching mode page's WCE (SBC-3 6.4.5) and the NVMe Volatile Write Cache feature (Base 2.0 5.27.1.4) are two views
 * of this one value. With the cache turned off every write-class request is made durable before it completes
 * ({@link LogicalUnit#submit} sets FUA), so no frontend can forget it. Starts at the backend's setting; a logical
 * unit reset returns to it.
 */
public final class WriteCache {
    /** Told when the setting changed, with who changed it, so other initiators can be told (SCSI unit attention). */
    public interface Listener {
        void changed(Object changer);
    }

    private final boolean present;
    private final boolean defaultEnabled;
    private volatile boolean enabled;
    /** Held weakly, as the frontend objects that listen may be dropped by a reconfiguration without notice. */
    private final List<WeakReference<Listener>> listeners = new CopyOnWriteArrayList<>();

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

    /**
     * Switches the cache; false (and nothing changes) when there is no cache to switch. When the value changes the
     * listeners hear of it with {@code changer} (an initiator's connection, or null), which they need not tell.
     */
    public boolean setEnabled(boolean on, Object changer) {
        if (!present) {
            return false;
        }
        set(on, changer);
        return true;
    }

    /** Back to the backend's setting (SCSI logical unit reset: mode parameters return to their saved values). */
    public void reset() {
        set(defaultEnabled, null);
    }

    private synchronized void set(boolean on, Object changer) {
        if (enabled == on) {
            return;
        }
        enabled = on;
        for (WeakReference<Listener> ref : listeners) {
            Listener l = ref.get();
            if (l != null) {
                l.changed(changer);
            }
        }
    }

    public void addListener(Listener l) {
        listeners.removeIf(ref -> ref.get() == null);
        listeners.add(new WeakReference<>(l));
    }

    /**
     * Whether a request must reach stable storage before it completes: it asked for that (FUA), or it writes the
     * medium while the cache is off (write-through).
     */
    public boolean forcesUnitAccess(BlockOp op, boolean fua) {
        return fua || (op.writesMedium() && present && !enabled);
    }
}
