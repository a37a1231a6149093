package dev.ferry.frontend.nvme;

import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.unit.CapacityListener;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitRegistry;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVMe-oF controller model behind every transport (nvmet's core): subsystems are the registry's {@code nvme}
 * exports plus the discovery subsystem, controllers are created dynamically by Connect. A transport creates one
 * {@link NvmeQueue} per connection and feeds it capsules, and calls {@link #exportsChanged} after each live
 * reconfiguration.
 */
public final class NvmeTarget implements AutoCloseable {
    /** The well-known discovery subsystem NQN (Base 2.0 4.5.1). */
    public static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
    private static final Logger LOG = LoggerFactory.getLogger(NvmeTarget.class);

    private final UnitRegistry registry;
    private final FabricsTransport transport;
    private final ControllerTable controllers;
    private final KeepAliveTimer timer;
    private volatile long discoveryGeneration = 1;
    private final AtomicLong keepAliveExpiries = new AtomicLong();
    private final CapacityListener capacityListener = this::capacityChanged;
    private final dev.ferry.core.access.AccessStateListener anaListener = Ana.changes(this);

    public NvmeTarget(UnitRegistry registry, FabricsTransport transport) {
        this(registry, transport, ControllerLimits.DEFAULT);
    }

    public NvmeTarget(UnitRegistry registry, FabricsTransport transport, ControllerLimits limits) {
        this.registry = registry;
        this.transport = transport;
        this.controllers = new ControllerTable(limits);
        this.timer = new KeepAliveTimer(this);
    }

    public FabricsTransport transport() { return transport; }
    public UnitRegistry registry() { return registry; }

    /** Starts keep-alive enforcement. */
    public void start() {
        timer.start();
        registry.addCapacityListener(capacityListener);
        registry.addAccessStateListener(anaListener);
    }

    /** A new queue for a new transport connection. */
    public NvmeQueue newQueue(QueueTransport queueTransport) {
        return new NvmeQueue(this, queueTransport);
    }

    /** The subsystem with this NQN, or null. */
    public Export subsystem(String nqn) {
        return registry.export(TargetConfig.NVME, nqn);
    }

    public List<Export> subsystems() {
        return registry.exports(TargetConfig.NVME);
    }

    public long discoveryGeneration() {
        return discoveryGeneration;
    }

    /**
     * Creates a controller with a free ID of its subsystem; null when the subsystem has none free or the
     * {@link ControllerLimits} are reached (Connect then answers Controller Busy). {@code export} is the subsystem
     * as Connect found it: when a reconfiguration was published since, the new controller follows it as the others
     * did, so it is returned already deleted if its host lost access.
     */
    public synchronized Controller createController(String subsystemNqn, Export export, String hostNqn, UUID hostId,
                                             long keepAliveMillis) {
        return createController(subsystemNqn, export, hostNqn, hostId, keepAliveMillis, 0);
    }

    /**
     * As {@link #createController(String, Export, String, UUID, long)}, with an ID from the range of access group
     * {@code accessGroup} (the group of the port the host connected through when the subsystem has explicit
     * groups; 0 otherwise): CNTLIDs stay unique across the members of a gateway group.
     */
    public synchronized Controller createController(String subsystemNqn, Export export, String hostNqn, UUID hostId,
                                             long keepAliveMillis, int accessGroup) {
        ControllerTable.Added added = controllers.add(subsystemNqn, hostNqn, accessGroup,
                id -> new Controller(this, id, subsystemNqn, export, hostNqn, hostId, keepAliveMillis));
        Controller c = added.controller();
        if (c == null) {
            LOG.info("nvme connect of {} to {} refused: {}", hostNqn, subsystemNqn, added.refusal());
            return null;
        }
        if (export != null && subsystem(subsystemNqn) != export) {
            follow(c);
        }
        return c;
    }

    /** The live controller with this ID in that subsystem, or null. */
    public Controller controller(String subsystemNqn, int cntlid) {
        return controllers.get(subsystemNqn, cntlid);
    }

    public List<Controller> controllers() {
        return controllers.all();
    }

    /** How many controllers the keep-alive timer has deleted since start: lets a test tell KATO from a close. */
    public long keepAliveExpiries() {
        return keepAliveExpiries.get();
    }

    /** Keep Alive Timer expired (Base 2.0 3.9): the host is gone without closing, free the controller. */
    void keepAliveExpired(Controller c) {
        keepAliveExpiries.incrementAndGet();
        c.delete("keep alive timer expired (KATO " + c.keepAliveMillis() + " ms)");
    }

    void removeController(Controller c) {
        controllers.remove(c);
    }

    /**
     * The registry published a new snapshot; the transport calls this before the core closes the backstores no
     * longer used, so no controller submits to them afterwards. Discovery controllers get a Discovery Log Page
     * Change event; a controller whose host lost access (its subsystem removed, or the host no longer allowed) is
     * deleted, as nvmet deletes a host's controllers when the host is unlinked from the subsystem; the others learn
     * which namespaces their host sees appeared or went.
     */
    public synchronized void exportsChanged() {
        discoveryGeneration++;
        controllers.all().forEach(this::follow);
    }

    /** Brings one controller in line with the registry's current snapshot. */
    private void follow(Controller c) {
        if (c.isDiscovery()) {
            c.discoveryChanged();
            return;
        }
        Export now = subsystem(c.subsystemNqn());
        if (now == null) {
            c.delete("subsystem removed");
        } else if (!now.admits(c.hostNqn())) {
            c.delete("host no longer allowed on the subsystem");
        } else {
            c.exportChanged(now);
        }
    }

    /** A unit was resized: every I/O controller whose host sees it as a namespace is told. */
    private void capacityChanged(LogicalUnit unit) {
        for (Controller c : controllers.all()) {
            if (!c.isDiscovery()) {
                c.capacityChanged(unit);
            }
        }
    }

    /** Stops the timer and deletes every controller (closing their connections). */
    @Override
    public void close() {
        registry.removeCapacityListener(capacityListener);
        registry.removeAccessStateListener(anaListener);
        timer.close();
        for (Controller c : controllers()) {
            c.delete("target stopping");
        }
    }
}
