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
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running target: validates a configuration, opens its backstores, publishes its exports in the registry and
 * starts one frontend per protocol in use. Backends and frontends are found with {@link ServiceLoader}, so this
 * class names none of them. {@link #apply} changes the running configuration live.
 */
public final class TargetCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetCore.class);

    private final UnitRegistry registry;
    private final Map<String, LogicalUnit> units = new LinkedHashMap<>();
    private final List<Frontend> frontends = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile FerryConfig config;

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

    /** The frontend factories on the class path, by protocol and then by portal transport. */
    public static Map<String, Map<String, FrontendFactory>> frontendFactories() {
        Map<String, Map<String, FrontendFactory>> m = new TreeMap<>();
        ServiceLoader.load(FrontendFactory.class)
                .forEach(f -> m.computeIfAbsent(f.protocol(), p -> new TreeMap<>()).put(f.transport(), f));
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
            units.put(b.name(), openUnit(factories, b));
        }
    }

    private static LogicalUnit openUnit(Map<String, BackendFactory> factories, BackstoreConfig b) throws BackendException {
        Backend backend = factories.get(b.type()).open(b);
        int workers = b.workers() != null ? b.workers() : backend.workers();
        LogicalUnit unit = new LogicalUnit(backend, workers);
        unit.start();
        LOG.info("backstore {} ({}) open: {} blocks of {} bytes", b.name(), b.type(),
                unit.descriptor().capacityBlocks(), unit.descriptor().logicalBlockSize());
        return unit;
    }

    private void publishExports() throws IOException {
        registry.replace(new HashMap<>(units), exportsOf(config, units));
    }

    private static List<Export> exportsOf(FerryConfig config, Map<String, LogicalUnit> units) throws IOException {
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
                    t.allowAnyInitiatorOrDefault(), t.iscsiOrDefault()));
        }
        return exports;
    }

    private static InitiatorAccess.ChapCredentials credentials(String user, String secretFile) throws IOException {
        return user == null ? null : new InitiatorAccess.ChapCredentials(user, SecretFiles.read(secretFile));
    }

    private void startFrontends() throws Exception {
        startMissingFrontends(config);
    }

    /**
     * Starts the frontend of every protocol and portal transport the configuration uses that has none yet;
     * returns those started.
     */
    private List<Frontend> startMissingFrontends(FerryConfig c) throws Exception {
        Map<String, Map<String, FrontendFactory>> factories = frontendFactories();
        List<Frontend> started = new ArrayList<>();
        for (Map.Entry<String, Set<String>> use : transportsInUse(c).entrySet()) {
            String protocol = use.getKey();
            for (String transport : use.getValue()) {
                if (frontend(protocol, transport) != null) {
                    continue;
                }
                FrontendFactory factory = factories.get(protocol).get(transport);
                if (factory == null) {
                    throw new IllegalStateException(protocol + " over " + transport
                            + " is not available: its frontend module is not installed");
                }
                Frontend f = factory.create(registry);
                frontends.add(f);
                started.add(f);
                f.start();
                LOG.info("{}/{} frontend listening on {}", protocol, transport, f.boundAddresses());
            }
        }
        return started;
    }

    /** Protocol to the transports of its portals; TCP always, so that a protocol's main frontend runs. */
    private static Map<String, Set<String>> transportsInUse(FerryConfig c) {
        Map<String, Set<String>> use = new TreeMap<>();
        for (TargetConfig t : c.targets()) {
            String protocol = t.protocolOrDefault();
            Set<String> transports = use.computeIfAbsent(protocol, p -> new TreeSet<>(Set.of(Portal.TCP)));
            for (String p : t.portals()) {
                transports.add(Portal.parse(p, ConfigValidator.defaultPort(protocol)).transport());
            }
        }
        return use;
    }

    /**
     * Changes the running configuration to {@code next}, or changes nothing and throws. Order: validate, open the
     * new (or changed) backstores, publish the new registry snapshot, start frontends of new protocols and let
     * the running ones bind and unbind portals; only then close the backstores no longer used, each after its
     * workers drained the requests already submitted. A backstore whose configuration is unchanged keeps its
     * open unit, so its LUNs are served without interruption.
     *
     * @throws ConfigException when {@code next} is invalid
     * @throws Exception       when a backstore cannot be opened or a portal cannot be bound; the previous
     *                         configuration is still served
     */
    public synchronized void apply(FerryConfig next) throws Exception {
        validate(next);
        FerryConfig previous = config;
        Map<String, BackstoreConfig> previousBackstores = new HashMap<>();
        previous.backstores().forEach(b -> previousBackstores.put(b.name(), b));
        Map<String, BackendFactory> factories = backendFactories();
        Map<String, LogicalUnit> nextUnits = new LinkedHashMap<>();
        List<LogicalUnit> opened = new ArrayList<>();
        List<Export> previousExports = registry.exports();
        Map<String, LogicalUnit> previousUnits = Map.copyOf(units);
        List<Frontend> started = List.of();
        try {
            for (BackstoreConfig b : next.backstores()) {
                LogicalUnit kept = b.equals(previousBackstores.get(b.name())) ? units.get(b.name()) : null;
                if (kept == null) {
                    kept = openUnit(factories, b);
                    opened.add(kept);
                }
                nextUnits.put(b.name(), kept);
            }
            List<Export> nextExports = exportsOf(next, nextUnits);
            if (next.stateDirectory() != null) {
                Files.createDirectories(Path.of(next.stateDirectory()));
            }
            registry.replace(nextUnits, nextExports);
            started = startMissingFrontends(next);
            notifyFrontends();
        } catch (Exception e) {
            registry.replace(previousUnits, previousExports);
            for (Frontend f : started) {
                frontends.remove(f);
                f.close();
            }
            try {
                notifyFrontends();
            } catch (Exception again) {
                e.addSuppressed(again);
            }
            closeAll(opened);
            throw e;
        }
        List<LogicalUnit> removed = new ArrayList<>(units.values());
        removed.removeIf(u -> nextUnits.containsValue(u));
        units.clear();
        units.putAll(nextUnits);
        config = next;
        closeAll(removed);
        LOG.info("configuration applied: {} backstore(s), {} target(s)", next.backstores().size(), next.targets().size());
    }

    private void notifyFrontends() throws Exception {
        for (Frontend f : frontends) {
            if (f instanceof dev.ferry.core.frontend.ExportsChangedListener l) {
                l.exportsChanged();
            }
        }
    }

    private static void closeAll(List<LogicalUnit> list) {
        for (LogicalUnit u : list) {
            try {
                u.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("closing backstore {}", u.name(), e);
            }
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

    /** The running TCP frontend of a protocol, or null. */
    public Frontend frontend(String protocol) {
        return frontend(protocol, Portal.TCP);
    }

    /** The running frontend of a protocol over a transport, or null. */
    public Frontend frontend(String protocol, String transport) {
        return frontends.stream().filter(f -> f.protocol().equals(protocol) && f.transport().equals(transport))
                .findFirst().orElse(null);
    }

    /** Stops frontends first (no new requests), then drains workers and closes backends. */
    @Override
    public synchronized void close() {
        for (Frontend f : frontends) {
            try {
                f.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} frontend", f.protocol(), e);
            }
        }
        frontends.clear();
        closeAll(new ArrayList<>(units.values()));
        units.clear();
    }
}
