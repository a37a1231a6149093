package dev.ferry.frontend.iscsi.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Every live session of the frontend, by TSIH and by reinstatement key. Thread-safe. */
public final class SessionTable {
    private final ConcurrentHashMap<Integer, IscsiSession> byTsih = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<IscsiSession.Key, IscsiSession> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger nextTsih = new AtomicInteger(1);

    /** A TSIH not in use (RFC 7143 11.12.6: never 0). */
    int allocateTsih() {
        while (true) {
            int t = nextTsih.getAndIncrement() & 0xffff;
            if (t != 0 && !byTsih.containsKey(t)) {
                return t;
            }
        }
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

    void add(IscsiSession s) {
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
