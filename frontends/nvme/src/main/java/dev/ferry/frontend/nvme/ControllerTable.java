package dev.ferry.frontend.nvme;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The live controllers of a target, by subsystem: each subsystem has its own CNTLID space (a controller ID is unique
 * within its NVM subsystem, Base 2.0 3.1.2) and its own share of {@link ControllerLimits}. NQNs are compared
 * without case, as the registry looks subsystems and hosts up. A subsystem's entry stays once made (Connect only
 * reaches existing subsystems), so its ID cursor keeps going round. Thread safe.
 */
final class ControllerTable {
    /** Why {@link #add} refused: every one is answered with Connect Controller Busy. */
    enum Refusal { SUBSYSTEM_LIMIT, HOST_LIMIT, NO_FREE_CNTLID }

    /** A new controller, or why there is none. */
    record Added(Controller controller, Refusal refusal) {
    }

    private static final class Subsystem {
        final CntlidAllocator ids = new CntlidAllocator();
        final Map<Integer, Controller> byId = new HashMap<>();
        final Map<String, Integer> perHost = new HashMap<>();
    }

    private final ControllerLimits limits;
    private final Map<String, Subsystem> subsystems = new HashMap<>();

    ControllerTable(ControllerLimits limits) {
        this.limits = limits;
    }

    /** Creates a controller with a free ID of {@code subsystemNqn} within the limits ({@code create} gets the ID). */
    synchronized Added add(String subsystemNqn, String hostNqn, IntFunction<Controller> create) {
        return add(subsystemNqn, hostNqn, 0, create);
    }

    /** As {@link #add(String, String, IntFunction)}, with an ID of access group {@code group}'s range (0: any). */
    synchronized Added add(String subsystemNqn, String hostNqn, int group, IntFunction<Controller> create) {
        Subsystem s = subsystems.computeIfAbsent(key(subsystemNqn), k -> new Subsystem());
        String host = key(hostNqn);
        if (s.byId.size() >= limits.perSubsystem()) {
            return new Added(null, Refusal.SUBSYSTEM_LIMIT);
        }
        if (s.perHost.getOrDefault(host, 0) >= limits.perHost()) {
            return new Added(null, Refusal.HOST_LIMIT);
        }
        int id = s.ids.allocateForGroup(group);
        if (id == 0) {
            return new Added(null, Refusal.NO_FREE_CNTLID);
        }
        Controller c = create.apply(id);
        s.byId.put(id, c);
        s.perHost.merge(host, 1, Integer::sum);
        return new Added(c, null);
    }

    /** The live controller {@code cntlid} of that subsystem, or null. */
    synchronized Controller get(String subsystemNqn, int cntlid) {
        Subsystem s = subsystems.get(key(subsystemNqn));
        return s == null ? null : s.byId.get(cntlid);
    }

    /** Frees the controller's ID and its share of the limits; only the first call counts. */
    synchronized void remove(Controller c) {
        Subsystem s = subsystems.get(key(c.subsystemNqn()));
        if (s == null || !s.byId.remove(c.cntlid(), c)) {
            return;
        }
        s.ids.free(c.cntlid());
        s.perHost.computeIfPresent(key(c.hostNqn()), (h, n) -> n == 1 ? null : n - 1);
    }

    synchronized List<Controller> all() {
        List<Controller> out = new ArrayList<>();
        subsystems.values().forEach(s -> out.addAll(s.byId.values()));
        return out;
    }

    private static String key(String nqn) {
        return nqn.toLowerCase(Locale.ROOT);
    }
}
