package dev.ferry.core.access;

import java.util.Map;
import java.util.Objects;

/**
 * The live access states of one export: the core owns them, frontends read the state of the port a command came
 * through on every media access, and report and change them (REPORT / SET TARGET PORT GROUPS, the ANA log). One
 * object per export name, kept across reconfigurations so that connected initiators see a change of state without
 * reconnecting. Every change increments {@link #changeCount()} (the ANA log's CHGCNT) and is announced through the
 * listener.
 */
public final class AccessGroups {
    private final String exportName;
    private final AccessStateListener listener;
    private volatile AccessLayout layout;
    /** The layout last taken from the configuration: re-applying the same one leaves initiator-set states alone. */
    private AccessLayout configured;
    private volatile long changeCount;

    public AccessGroups(String exportName, AccessLayout layout, AccessStateListener listener) {
        this.exportName = exportName;
        this.layout = layout;
        this.configured = layout;
        this.listener = listener;
    }

    public String exportName() {
        return exportName;
    }

    /** The current groups and states. */
    public AccessLayout layout() {
        return layout;
    }

    /** How many changes there were since the export appeared (ANA log CHGCNT, Base 2.0 Figure 223). */
    public long changeCount() {
        return changeCount;
    }

    /**
     * Takes the layout of a newly applied configuration. When it is the same as the one taken last time, nothing
     * changes (states an initiator set with SET TARGET PORT GROUPS stay); otherwise it replaces the current layout
     * and the listener is told.
     */
    public void configure(AccessLayout next) {
        synchronized (this) {
            if (next.equals(configured)) {
                return;
            }
            configured = next;
            if (next.equals(layout)) {
                return;
            }
            layout = next;
            changeCount++;
        }
        listener.accessStateChanged(this, null);
    }

    /**
     * Sets the state of some groups on an initiator's request (SET TARGET PORT GROUPS); false, changing nothing,
     * when a group id is not in the layout.
     */
    public boolean setStates(Map<Integer, AccessState> states, Object origin) {
        synchronized (this) {
            for (Integer id : states.keySet()) {
                if (layout.group(id) == null) {
                    return false;
                }
            }
            AccessLayout next = layout.withStates(states);
            if (next.equals(layout)) {
                return true;
            }
            layout = next;
            changeCount++;
        }
        listener.accessStateChanged(this, origin);
        return true;
    }

    @Override
    public String toString() {
        return exportName + " " + Objects.toString(layout);
    }
}
