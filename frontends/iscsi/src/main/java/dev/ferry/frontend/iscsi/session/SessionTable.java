package dev.ferry.frontend.iscsi.session;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every live session of the frontend, by TSIH and by reinstatement key. Thread-safe. */
public final class SessionTable {
    /** RFC 7143 11.12.6: TSIH is 16 bits and 0 means "a new session", so 1-65535 name sessions. */
    public static final int LAST_TSIH = 0xffff;
    /** What {@link #allocateTsih} answers when every TSIH is in use. */
    static final int NO_TSIH = 0;

    private final ConcurrentHashMap<Integer, IscsiSession> byTsih = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<IscsiSession.Key, IscsiSession> byKey = new ConcurrentHashMap<>();
    /** Sessions are named 1..lastTsih; a test makes the space small to reach its end. */
    private final int lastTsih;
    private int nextTsih = 1;
    /** TSIHs handed out whose session is not in the table yet: a racing login must not get the same one. */
    private final Set<Integer> allocated = new HashSet<>();

    public SessionTable() {
        this(LAST_TSIH);
    }

    SessionTable(int lastTsih) {
        if (lastTsih < 1 || lastTsih > LAST_TSIH) {
            throw new IllegalArgumentException("lastTsih " + lastTsih + " outside 1-" + LAST_TSIH);
        }
        this.lastTsih = lastTsih;
    }

    /**
     * A TSIH not in use (never 0), or {@link #NO_TSIH} when all are: one pass over the space at most, never a
     * spin. The caller adds its session with it ({@link #add}, {@link #addWithin}) or gives it back
     * ({@link #release}).
     */
    synchronized int allocateTsih() {
        for (int tried = 0; tried < lastTsih; tried++) {
            int t = nextTsih;
            nextTsih = t == lastTsih ? 1 : t + 1;
            if (!byTsih.containsKey(t) && allocated.add(t)) {
                return t;
            }
        }
        return NO_TSIH;
    }

    /** Gives back a TSIH from {@link #allocateTsih} whose session was never added. */
    synchronized void release(int tsih) {
        allocated.remove(tsih);
    }

    IscsiSession byTsih(int tsih) {
        return byTsih.get(tsih);
    }

    IscsiSession byKey(IscsiSession.Key key) {
        return byKey.get(key);
    }

    /**
     * Adds a Normal session unless its target already has {@code maxSessions}; atomic, so logins racing on other
     * event loops cannot overshoot the limit together.
     */
    synchronized boolean addWithin(IscsiSession s, int maxSessions) {
        String target = s.key.targetName();
        if (byKey.keySet().stream().filter(k -> k.targetName().equals(target)).count() >= maxSessions) {
            return false;
        }
        add(s);
        return true;
    }

    /** Adds a Discovery session unless {@code maxSessions} exist already (atomic, as {@link #addWithin}). */
    synchronized boolean addDiscoveryWithin(IscsiSession s, int maxSessions) {
        if (byTsih.values().stream().filter(IscsiSession::discovery).count() >= maxSessions) {
            return false;
        }
        add(s);
        return true;
    }

    synchronized void add(IscsiSession s) {
        allocated.remove(s.tsih);
        byTsih.put(s.tsih, s);
        if (!s.discovery()) {
            byKey.put(s.key, s);
        }
    }

    void remove(IscsiSession s) {
        byTsih.remove(s.tsih, s);
        byKey.remove(s.key, s);
    }

    public Collection<IscsiSession> all() {
        return byTsih.values();
    }

    public int size() {
        return byTsih.size();
    }
}
