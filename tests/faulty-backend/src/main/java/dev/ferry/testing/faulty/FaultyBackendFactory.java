package dev.ferry.testing.faulty;

import dev.ferry.core.TargetCore;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code "type": "faulty"}: a {@link FaultyBackend} around a ram backstore (no {@code path}) or a file backstore
 * (with one) of the same configuration, for tests that start a whole target from a configuration. The test reaches
 * the running wrapper with {@link #backstore(String)} by the backstore's name.
 */
public final class FaultyBackendFactory implements BackendFactory {
    public static final String TYPE = "faulty";
    private static final Map<String, FaultyBackend> OPEN = new ConcurrentHashMap<>();

    /** The open faulty backstore of that name. */
    public static FaultyBackend backstore(String name) {
        FaultyBackend b = OPEN.get(name);
        if (b == null) {
            throw new IllegalStateException("no open faulty backstore " + name + " (open: " + OPEN.keySet() + ")");
        }
        return b;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        return innerFactory(config).validate(inner(config));
    }

    @Override
    public Backend open(BackstoreConfig config) throws BackendException {
        String name = config.name();
        FaultyBackend b = new FaultyBackend(innerFactory(config).open(inner(config)),
                closed -> OPEN.remove(name, closed));
        OPEN.put(name, b);
        return b;
    }

    private static String innerType(BackstoreConfig c) {
        return c.path() == null ? "ram" : "file";
    }

    private static BackendFactory innerFactory(BackstoreConfig c) {
        return TargetCore.backendFactories().get(innerType(c));
    }

    private static BackstoreConfig inner(BackstoreConfig c) {
        return new BackstoreConfig(c.name(), innerType(c), c.size(), c.path(), c.blockSize(), c.physicalBlockSize(),
                c.readOnly(), c.writeCache(), c.workers(), c.queueDepth(), c.identitySeed());
    }
}
