package dev.ferry.core;

import dev.ferry.core.access.AccessGroups;
import dev.ferry.core.access.AccessLayout;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigValidator;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.config.DhchapKey;
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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running target: validates a configuration, opens its backstores, publishes its exports in the registry and
 * starts one frontend per protocol in use. Backends and frontends are found with {@link ServiceLoader}, so this
 * class names none of them. {@link #apply} changes the running configuration live.
 */
public final class TargetCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetCore.class);
    /** Subdirectory of the state directory with the units' APTPL reservations. */
    static final String RESERVATIONS = "reservations";
    /** Where APTPL reservations were kept per iSCSI target before they belonged to the units (format 1). */
    private static final String LEGACY_SCSI_RESERVATIONS = "scsi-reservations";

    private final UnitRegistry registry;
    private final Map<String, LogicalUnit> units = new LinkedHashMap<>();
    private final List<Frontend> frontends = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Each export's live access states by protocol and name, kept across reconfigurations. */
    private final Map<String, AccessGroups> accessGroups = new HashMap<>();
    private volatile FerryConfig config;
    /** Backstores the running apply opens again although their configuration did not change ({@link #reopen}). */
    private Set<String> reopening = Set.of();

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
            Path legacy = registry.stateDirectory().resolve(LEGACY_SCSI_RESERVATIONS);
            if (Files.isDirectory(legacy)) {
                LOG.warn("{} holds APTPL reservations of the old per-target layout, which are not read any more:"
                        + " reservations now belong to each backstore ({}); initiators must register again",
                        legacy, registry.stateDirectory().resolve(RESERVATIONS));
            }
        }
    }

    private void openUnits() throws BackendException {
        Map<String, BackendFactory> factories = backendFactories();
        for (BackstoreConfig b : config.backstores()) {
            units.put(b.name(), openUnit(factories, b, registry));
        }
    }

    /** Where units keep APTPL reservations, one file per backstore; null without a state directory. */
    private static Path reservationDirectory(UnitRegistry registry) {
        return registry.stateDirectory() == null ? null : registry.stateDirectory().resolve(RESERVATIONS);
    }

    private static LogicalUnit openUnit(Map<String, BackendFactory> factories, BackstoreConfig b,
                                        UnitRegistry registry) throws BackendException {
        Backend backend = factories.get(b.type()).open(b);
        int workers = b.workers() != null ? b.workers() : backend.workers();
        LogicalUnit unit;
        try {
            unit = new LogicalUnit(backend, workers, reservationDirectory(registry));
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        unit.start();
        unit.followCapacity(registry::capacityChanged);
        LOG.info("backstore {} ({}) open: {} blocks of {} bytes", b.name(), b.type(),
                unit.descriptor().capacityBlocks(), unit.descriptor().logicalBlockSize());
        return unit;
    }

    private void publishExports() throws IOException {
        registry.replace(new HashMap<>(units), exportsOf(config, units));
        configureAccessGroups(config);
    }

    private List<Export> exportsOf(FerryConfig config, Map<String, LogicalUnit> units) throws IOException {
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
                        a.luns() == null ? null : Set.copyOf(a.luns()),
                        dhchap(a.dhchapSecretFile(), a.dhchapCtrlSecretFile())));
            }
            exports.add(new Export(t.name(), t.protocolOrDefault(), t.alias(), portals, luns, acl,
                    t.allowAnyInitiatorOrDefault(), t.iscsiOrDefault(), accessGroupsOf(t, portals)));
        }
        return exports;
    }

    private static InitiatorAccess.DhchapSecrets dhchap(String hostFile, String controllerFile) throws IOException {
        return hostFile == null ? null : new InitiatorAccess.DhchapSecrets(DhchapKey.read(hostFile),
                controllerFile == null ? null : DhchapKey.read(controllerFile));
    }

    /** The export's live access groups: the running ones when it exists, else new ones in the configured layout. */
    private AccessGroups accessGroupsOf(TargetConfig t, List<Portal> portals) {
        AccessGroups running = accessGroups.get(accessKey(t));
        return running != null ? running
                : new AccessGroups(t.name(), layoutOf(t, portals), registry::accessStateChanged);
    }

    private static AccessLayout layoutOf(TargetConfig t, List<Portal> portals) {
        return AccessLayout.of(t.accessGroupsOrEmpty(), portals, ConfigValidator.defaultPort(t.protocolOrDefault()));
    }

    private static String accessKey(TargetConfig t) {
        return t.protocolOrDefault() + "/" + t.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Once a configuration runs: each export takes its configured access layout (the frontends are told of
     * changes), and the groups of exports gone are forgotten.
     */
    private void configureAccessGroups(FerryConfig c) {
        Map<String, AccessGroups> next = new HashMap<>();
        for (Export e : registry.exports()) {
            next.put(e.protocol() + "/" + e.name().toLowerCase(java.util.Locale.ROOT), e.accessGroups());
        }
        accessGroups.clear();
        accessGroups.putAll(next);
        for (TargetConfig t : c.targets()) {
            List<Portal> portals = t.portals().stream()
                    .map(p -> Portal.parse(p, ConfigValidator.defaultPort(t.protocolOrDefault()))).toList();
            accessGroups.get(accessKey(t)).configure(layoutOf(t, portals));
        }
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
        apply(next, false);
    }

    /**
     * As {@link #apply(FerryConfig)}; a backstore whose configuration changed in its size only is resized in
     * place instead of reopened, so its data stays and its LUNs keep being served, and the frontends then tell
     * their initiators. A smaller size is refused unless {@code allowShrink}, and always while a LUN or namespace
     * maps the backstore (as SPDK refuses to shrink an open bdev): initiators would still address the lost end.
     */
    public synchronized void apply(FerryConfig next, boolean allowShrink) throws Exception {
        apply(next, allowShrink, false);
    }

    /**
     * Opens these backstores again under the same LUNs and namespaces (new backend instances, the old ones closed),
     * e.g. after a gateway group fenced the Ceph clients they wrote through.
     */
    public synchronized void reopen(Set<String> backstores) throws Exception {
        reopening = Set.copyOf(backstores);
        try {
            apply(config);
        } finally {
            reopening = Set.of();
        }
    }

    /**
     * Goes back to {@code previous}, the configuration that ran before a change the caller could not complete
     * (e.g. it was applied but could not be saved): as {@link #apply(FerryConfig)}, except that a backstore that
     * change grew shrinks back even while mapped - its initiators were told of the larger size a moment ago and
     * are told again - so that the running state matches the saved one.
     */
    public synchronized void revert(FerryConfig previous) throws Exception {
        apply(previous, true, true);
    }

    private void apply(FerryConfig next, boolean allowShrink, boolean reverting) throws Exception {
        FerryConfig previous = config;
        Map<String, BackstoreConfig> previousBackstores = new HashMap<>();
        previous.backstores().forEach(b -> previousBackstores.put(b.name(), b));
        Map<String, Long> resizes = resizes(next, previousBackstores, allowShrink, reverting);
        validate(shrinksAtPreviousSize(next, previousBackstores, resizes));
        Map<String, BackendFactory> factories = backendFactories();
        Map<String, LogicalUnit> nextUnits = new LinkedHashMap<>();
        List<LogicalUnit> opened = new ArrayList<>();
        List<Export> previousExports = registry.exports();
        Map<String, LogicalUnit> previousUnits = Map.copyOf(units);
        List<Frontend> started = List.of();
        Map<LogicalUnit, Long> resized = new LinkedHashMap<>();
        try {
            for (BackstoreConfig b : next.backstores()) {
                LogicalUnit kept = (b.equals(previousBackstores.get(b.name())) || resizes.containsKey(b.name()))
                        && !reopening.contains(b.name()) ? units.get(b.name()) : null;
                if (kept == null) {
                    kept = openUnit(factories, b, registry);
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
            resizeUnits(resizes, resized, nextUnits);
        } catch (Exception e) {
            resized.forEach(TargetCore::resizeBack);
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
        configureAccessGroups(next);
        closeAll(removed);
        resized.keySet().forEach(registry::capacityChanged);
        LOG.info("configuration applied: {} backstore(s), {} target(s)", next.backstores().size(), next.targets().size());
    }

    /**
     * The backstores of {@code next} whose configuration differs from the running one in its size only, to their
     * new size in bytes (a size that does not parse is left to the validator, which says why).
     *
     * @throws ConfigException for a shrink that is not allowed, naming the field
     */
    private Map<String, Long> resizes(FerryConfig next, Map<String, BackstoreConfig> previous, boolean allowShrink,
            boolean reverting) throws ConfigException {
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < next.backstores().size(); i++) {
            BackstoreConfig b = next.backstores().get(i);
            LogicalUnit unit = units.get(b.name());
            if (unit == null || !BackstoreSizes.onlySizeDiffers(previous.get(b.name()), b)) {
                continue;
            }
            long bytes;
            try {
                bytes = b.sizeBytes();
            } catch (IllegalArgumentException e) {
                continue;
            }
            long now = unit.descriptor().capacityBytes();
            if (bytes / unit.descriptor().logicalBlockSize() < unit.descriptor().capacityBlocks()) {
                String field = "backstores[" + i + "].size: ";
                List<String> users = usersOf(unit);
                if (!allowShrink) {
                    problems.add(field + b.size() + " would shrink backstore " + b.name() + " from " + now + " to "
                            + bytes + " bytes and lose the data past the new end; a shrink must be asked for"
                            + " explicitly (ferry backstore resize " + b.name() + " " + b.size() + " --allow-shrink)");
                } else if (!users.isEmpty() && !reverting) {
                    problems.add(field + "backstore " + b.name() + " cannot shrink while initiators may address it"
                            + " as " + String.join(", ", users) + "; remove those first");
                }
            }
            out.put(b.name(), bytes);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return out;
    }

    /** Where the running exports map {@code unit}, e.g. "LUN 0 of iqn...". */
    private List<String> usersOf(LogicalUnit unit) {
        List<String> users = new ArrayList<>();
        for (Export e : registry.exports()) {
            e.units().forEach((id, u) -> {
                if (u == unit) {
                    users.add((e.protocol().equals(TargetConfig.NVME) ? "namespace " : "LUN ") + id + " of " + e.name());
                }
            });
        }
        return users;
    }

    /**
     * What to validate: {@code next} with every shrinking backstore at its running size. A shrink is judged by
     * the rules above, not by those for opening (a file backstore never opens smaller than its file).
     */
    private FerryConfig shrinksAtPreviousSize(FerryConfig next, Map<String, BackstoreConfig> previous,
                                              Map<String, Long> resizes) {
        List<BackstoreConfig> list = new ArrayList<>();
        for (BackstoreConfig b : next.backstores()) {
            Long bytes = resizes.get(b.name());
            boolean shrinks = bytes != null && bytes < units.get(b.name()).descriptor().capacityBytes();
            list.add(shrinks ? previous.get(b.name()) : b);
        }
        return next.withBackstores(list);
    }

    /** Resizes each unit whose capacity changes; records each done with its previous capacity, to undo. */
    private static void resizeUnits(Map<String, Long> resizes, Map<LogicalUnit, Long> done,
                                    Map<String, LogicalUnit> units) throws BackendException {
        for (Map.Entry<String, Long> r : resizes.entrySet()) {
            LogicalUnit unit = units.get(r.getKey());
            BackendDescriptor before = unit.descriptor();
            if (r.getValue() / before.logicalBlockSize() == before.capacityBlocks()) {
                continue;
            }
            unit.resize(r.getValue());
            done.put(unit, before.capacityBytes());
            LOG.info("backstore {} resized from {} to {} blocks of {} bytes", unit.name(), before.capacityBlocks(),
                    unit.descriptor().capacityBlocks(), before.logicalBlockSize());
        }
    }

    private static void resizeBack(LogicalUnit unit, long capacityBytes) {
        try {
            unit.resize(capacityBytes);
        } catch (BackendException e) {
            LOG.error("backstore {}: could not undo its resize", unit.name(), e);
        }
    }

    /**
     * Reads a backstore's capacity again from its resource (a block device an admin grew) and tells the
     * frontends when it changed. The configuration does not change: such a backstore has its device's size.
     *
     * @return the capacity in bytes
     * @throws ConfigException  when there is no such backstore
     * @throws BackendException when its size is the configuration's, or cannot be read
     */
    public synchronized long rereadCapacity(String backstore) throws ConfigException, BackendException {
        LogicalUnit unit = units.get(backstore);
        if (unit == null) {
            throw new ConfigException("no backstore named '" + backstore + "'");
        }
        long before = unit.descriptor().capacityBlocks();
        BackendDescriptor now = unit.rereadCapacity();
        if (now.capacityBlocks() != before) {
            LOG.info("backstore {} resized from {} to {} blocks of {} bytes (the device's size changed)", backstore,
                    before, now.capacityBlocks(), now.logicalBlockSize());
            registry.capacityChanged(unit);
        }
        return now.capacityBytes();
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
    public void close() {
        closeReportingSteps(step -> { });
    }

    /**
     * {@link #close()}, telling {@code steps} what it closes next ("frontend nvme/tcp", "backstore disk0"), so
     * a caller that bounds the shutdown can name the part that did not stop.
     */
    public synchronized void closeReportingSteps(Consumer<String> steps) {
        for (Frontend f : frontends) {
            steps.accept("frontend " + f.protocol() + "/" + f.transport());
            try {
                f.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} frontend", f.protocol(), e);
            }
        }
        frontends.clear();
        for (LogicalUnit u : units.values()) {
            steps.accept("backstore " + u.name());
            closeAll(List.of(u));
        }
        units.clear();
    }
}
