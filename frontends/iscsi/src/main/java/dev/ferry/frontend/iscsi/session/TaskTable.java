package dev.ferry.frontend.iscsi.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The connection's tasks by Initiator Task Tag (RFC 7143 11.2.1.8): a task is here from its command to its end. */
final class TaskTable {
    private final Map<Integer, IscsiTask> byItt = new HashMap<>();

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
        byItt.remove(t.itt, t);
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
