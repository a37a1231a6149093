package dev.ferry.core;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigValidator;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.config.SecretFiles;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.FrontendFactory;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running target: validates a configuration, opens its backstores, publishes its exports in the registry and
 * starts one frontend per protocol in use. Backends and frontends are found with {@link ServiceLoader}, so this
 * class names none of them.
 */
public final class TargetCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetCore.class);

    private final UnitRegistry registry;
    private final Map<String, LogicalUnit> units = new LinkedHashMap<>();
    private final List<Frontend> frontends = new ArrayList<>();
    private final FerryConfig config;

    private TargetCore(FerryConfig config) {
        this.config = config;
        this.registry = new UnitRegistry(config.stateDirectory() == null ? null : Path.of(config.stateDirectory()));
    }

    /** The backend factories on the class path, by type. */
    public static Map<String, BackendFactory> backendFactories() {
        Map<String, BackendFactory> m = new TreeMap<>();
        ServiceLoader.load(BackendFactory.class).forEach(f -> m.put(f.type(), f));
        return m;
    }

    /** The frontend factories on the class path, by protocol. */
    public static Map<String, FrontendFactory> frontendFactories() {
        Map<String, FrontendFactory> m = new TreeMap<>();
        ServiceLoader.load(FrontendFactory.class).forEach(f -> m.put(f.protocol(), f));
        return m;
    }

    /** Validates without opening anything. */
    public static void validate(FerryConfig config) throws ConfigException {
        new ConfigValidator(backendFactories(), frontendFactories().keySet()).validate(config);
    }

    /**
     * Validates the configuration, opens every backstore and starts every frontend. On any failure everything
     * opened so far is closed again and the exception says what failed.
     */
    public static TargetCore start(FerryConfig config) throws ConfigException, BackendException, Exception {
        validate(config);
        TargetCore core = new TargetCore(config);
        try {
            core.createStateDirectory();
            core.openUnits();
            core.publishExports();
            core.startFrontends();
        } catch (Exception e) {
            core.close();
            throw e;
        }
        return core;
    }

    private void createStateDirectory() throws IOException {
        if (registry.stateDirectory() != null) {
            Files.createDirectories(registry.stateDirectory());
        }
    }

    private void openUnits() throws BackendException {
        Map<String, BackendFactory> factories = backendFactories();
        for (BackstoreConfig b : config.backstores()) {
            Backend backend = factories.get(b.type()).open(b);
            int workers = b.workers() != null ? b.workers() : backend.workers();
            LogicalUnit unit = new LogicalUnit(backend, workers);
            unit.start();
            units.put(b.name(), unit);
            LOG.info("backstore {} ({}) open: {} blocks of {} bytes", b.name(), b.type(),
                    unit.descriptor().capacityBlocks(), unit.descriptor().logicalBlockSize());
        }
    }

    private void publishExports() throws IOException {
        List<Export> exports = new ArrayList<>();
        for (TargetConfig t : config.targets()) {
            TreeMap<Long, LogicalUnit> luns = new TreeMap<>();
            for (LunConfig l : t.luns()) {
                luns.put(l.id(), units.get(l.backstore()));
            }
            List<Portal> portals = t.portals().stream()
                    .map(p -> Portal.parse(p, ConfigValidator.defaultPort(t.protocolOrDefault()))).toList();
            List<InitiatorAccess> acl = new ArrayList<>();
            for (AclConfig a : t.acls()) {
                acl.add(new InitiatorAccess(a.initiator(),
                        credentials(a.chapUser(), a.chapSecretFile()),
                        credentials(a.mutualChapUser(), a.mutualChapSecretFile()),
                        a.luns() == null ? null : Set.copyOf(a.luns())));
            }
            exports.add(new Export(t.name(), t.protocolOrDefault(), t.alias(), portals, luns, acl,
                    t.allowAnyInitiatorOrDefault()));
        }
        registry.replace(new HashMap<>(units), exports);
    }

    private static InitiatorAccess.ChapCredentials credentials(String user, String secretFile) throws IOException {
        return user == null ? null : new InitiatorAccess.ChapCredentials(user, SecretFiles.read(secretFile));
    }

    private void startFrontends() throws Exception {
        Map<String, FrontendFactory> factories = frontendFactories();
        for (String protocol : new java.util.TreeSet<>(config.targets().stream().map(TargetConfig::protocolOrDefault).toList())) {
            Frontend f = factories.get(protocol).create(registry);
            frontends.add(f);
            f.start();
            LOG.info("{} frontend listening on {}", protocol, f.boundAddresses());
        }
    }

    public UnitRegistry registry() {
        return registry;
    }

    public FerryConfig config() {
        return config;
    }

    public List<Frontend> frontends() {
        return List.copyOf(frontends);
    }

    /** The running frontend of a protocol, or null. */
    public Frontend frontend(String protocol) {
        return frontends.stream().filter(f -> f.protocol().equals(protocol)).findFirst().orElse(null);
    }

    /** Stops frontends first (no new requests), then drains workers and closes backends. */
    @Override
    public void close() {
        for (Frontend f : frontends) {
            try {
                f.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} frontend", f.protocol(), e);
            }
        }
        frontends.clear();
        for (LogicalUnit u : units.values()) {
            try {
                u.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("closing backstore {}", u.name(), e);
            }
        }
        units.clear();
    }
}
