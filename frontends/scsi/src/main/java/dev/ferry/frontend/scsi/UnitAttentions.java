package dev.ferry.frontend.scsi;

import java.util.ArrayDeque;

/**
 * The unit attention conditions pending for one I_T nexus on one logical unit (SPC-4 5.14: they are kept per
 * I_T_L nexus). Reported oldest first, one per command, each at most once. The 29h reset conditions rank highest
 * in SAM-5's unit attention priority order, and a reset makes the conditions queued before it moot (mode
 * parameters are back at their defaults, for instance), so establishing one replaces the queue. Thread-safe.
 */
final class UnitAttentions {
    private final ArrayDeque<UnitAttention> pending = new ArrayDeque<>(4);
    /** Lets every command check for a condition without taking the lock (almost always there is none). */
    private volatile boolean any;

    synchronized void establish(UnitAttention ua) {
        if (ua.isReset()) {
            pending.clear();
        } else if (pending.contains(ua)) {
            return;
        }
        pending.add(ua);
        any = true;
    }

    /** Removes and returns the condition to report now, or null. */
    UnitAttention take() {
        if (!any) {
            return null;
        }
        synchronized (this) {
            UnitAttention ua = pending.poll();
            any = !pending.isEmpty();
            return ua;
        }
    }

    /** Clears one condition if pending (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED, SPC-4 6.33). */
    void clear(UnitAttention ua) {
        if (!any) {
            return;
        }
        synchronized (this) {
            pending.remove(ua);
            any = !pending.isEmpty();
        }
    }

    boolean isEmpty() {
        return !any;
    }
}
