package dev.ferry.frontend.iscsi.session;

import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection's tasks by Initiator Task Tag (RFC 7143 11.2.1.8): a task is here from its command to its end.
 * Tasks whose command completed are kept for the next commands, at most one more than the session's CmdSN window
 * (the tasks that can be live at once), so a connection in steady state creates no task objects.
 */
final class TaskTable {
    private final IscsiConnection c;
    private final IntObjectHashMap<IscsiTask> byItt = new IntObjectHashMap<>();
    private IscsiTask[] free = new IscsiTask[8];
    private int freeCount;

    TaskTable(IscsiConnection c) {
        this.c = c;
    }

    /** A task for a new command: a completed one when there is one, else a new one. */
    IscsiTask acquire() {
        return freeCount > 0 ? free[--freeCount] : new IscsiTask(c);
    }

    /**
     * Keeps a task whose command completed for reuse. Only for a task nobody else refers to any more: it left the
     * table and the command set returned it through {@link IscsiTask#complete}.
     */
    void recycle(IscsiTask t) {
        if (freeCount > c.window.size()) {
            return;
        }
        if (freeCount == free.length) {
            free = java.util.Arrays.copyOf(free, freeCount * 2);
        }
        t.trim();
        free[freeCount++] = t;
    }

    IscsiTask get(int itt) {
        return byItt.get(itt);
    }

    boolean contains(int itt) {
        return byItt.containsKey(itt);
    }

    void put(IscsiTask t) {
        byItt.put(t.itt, t);
    }

    /** Removes {@code t} (not another task that took its tag since). */
    void remove(IscsiTask t) {
        if (byItt.get(t.itt) == t) {
            byItt.remove(t.itt);
        }
    }

    int size() {
        return byItt.size();
    }

    boolean isEmpty() {
        return byItt.isEmpty();
    }

    /** The tasks now, to iterate while tasks end. */
    List<IscsiTask> snapshot() {
        return new ArrayList<>(byItt.values());
    }

    void clear() {
        byItt.clear();
    }
}
