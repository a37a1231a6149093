package dev.ferry.core.unit;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Unit management: every opened storage resource and every export, looked up by frontends when an initiator
 * connects, logs in or asks what is there (SendTargets, discovery log). Reads see one consistent snapshot; a
 * reconfiguration swaps the snapshot atomically.
 */
public final class UnitRegistry {
    private record Snapshot(Map<String, LogicalUnit> units, List<Export> exports) {
    }

    private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of());
    private final List<CapacityListener> capacityListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<dev.ferry.core.access.AccessStateListener> accessListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.nio.file.Path stateDirectory;

    /** A registry without a state directory: nothing is persisted across restarts. */
    public UnitRegistry() {
        this(null);
    }

    /** @param stateDirectory where frontends keep state that must survive a restart, or null */
    public UnitRegistry(java.nio.file.Path stateDirectory) {
        this.stateDirectory = stateDirectory;
    }

    /** Where frontends keep state that must survive a restart (e.g. APTPL reservations), or null for none. */
    public java.nio.file.Path stateDirectory() {
        return stateDirectory;
    }

    public void replace(Map<String, LogicalUnit> units, List<Export> exports) {
        snapshot = new Snapshot(Map.copyOf(units), List.copyOf(exports));
    }

    /** The unit opened for this backstore name, or null. */
    public LogicalUnit unit(String backstoreName) {
        return snapshot.units().get(backstoreName);
    }

    public Map<String, LogicalUnit> units() {
        return snapshot.units();
    }

    public void addCapacityListener(CapacityListener l) {
        capacityListeners.add(l);
    }

    public void removeCapacityListener(CapacityListener l) {
        capacityListeners.remove(l);
    }

    /** Tells every subscribed frontend that {@code unit} now has the capacity its descriptor gives. */
    public void capacityChanged(LogicalUnit unit) {
        capacityListeners.forEach(l -> l.capacityChanged(unit));
    }

    public void addAccessStateListener(dev.ferry.core.access.AccessStateListener l) {
        accessListeners.add(l);
    }

    public void removeAccessStateListener(dev.ferry.core.access.AccessStateListener l) {
        accessListeners.remove(l);
    }

    /** Tells every subscribed frontend that the access states of an export changed. */
    public void accessStateChanged(dev.ferry.core.access.AccessGroups groups, Object origin) {
        accessListeners.forEach(l -> l.accessStateChanged(groups, origin));
    }

    /** Every export, of every protocol. */
    public List<Export> exports() {
        return snapshot.exports();
    }

    /** Every export of one protocol. */
    public List<Export> exports(String protocol) {
        return snapshot.exports().stream().filter(e -> e.protocol().equals(protocol)).toList();
    }

    /** The export of this protocol and name (compared case-insensitively), or null. */
    public Export export(String protocol, String name) {
        if (name == null) {
            return null;
        }
        String wanted = name.toLowerCase(Locale.ROOT);
        for (Export e : snapshot.exports()) {
            if (e.protocol().equals(protocol) && e.name().toLowerCase(Locale.ROOT).equals(wanted)) {
                return e;
            }
        }
        return null;
    }

    /** What discovery shows this initiator: the exports of the protocol it may use. */
    public List<Export> visibleTo(String protocol, String initiatorName) {
        return exports(protocol).stream().filter(e -> e.admits(initiatorName)).toList();
    }
}
