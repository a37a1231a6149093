package dev.ferry.frontend.nvme;

import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.unit.CapacityListener;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The NVMe-oF controller model behind every transport (nvmet's core): subsystems are the registry's {@code nvme}
 * exports plus the discovery subsystem, controllers are created dynamically by Connect. A transport creates one
 * {@link NvmeQueue} per connection and feeds it capsules, and calls {@link #exportsChanged} after each live
 * reconfiguration.
 */
public final class NvmeTarget implements AutoCloseable {
    /** The well-known discovery subsystem NQN (Base 2.0 4.5.1). */
    public static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
    /** Controller IDs 0001h-FFEFh are valid; FFF0h and up are reserved (Base 2.0 Figure 275 CNTLID). */
    static final int MAX_CNTLID = 0xFFEF;

    private final UnitRegistry registry;
    private final FabricsTransport transport;
    private final ConcurrentHashMap<Integer, Controller> controllers = new ConcurrentHashMap<>();
    private final KeepAliveTimer timer;
    private int nextCntlid = 1;
    private volatile long discoveryGeneration = 1;
    private final AtomicLong keepAliveExpiries = new AtomicLong();
    private final CapacityListener capacityListener = this::capacityChanged;

    public NvmeTarget(UnitRegistry registry, FabricsTransport transport) {
        this.registry = registry;
        this.transport = transport;
        this.timer = new KeepAliveTimer(this);
    }

    public FabricsTransport transport() { return transport; }
    public UnitRegistry registry() { return registry; }

    /** Starts keep-alive enforcement. */
    public void start() {
        timer.start();
        registry.addCapacityListener(capacityListener);
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
     * Creates a controller with the lowest free ID at or after the last one handed out; null when none is free.
     * {@code export} is the subsystem as Connect found it: when a reconfiguration was published since, the new
     * controller follows it as the others did, so it is returned already deleted if its host lost access.
     */
    public synchronized Controller createController(String subsystemNqn, Export export, String hostNqn, UUID hostId,
                                             long keepAliveMillis) {
        for (int tries = 0; tries < MAX_CNTLID; tries++) {
            int id = nextCntlid;
            nextCntlid = id == MAX_CNTLID ? 1 : id + 1;
            if (!controllers.containsKey(id)) {
                Controller c = new Controller(this, id, subsystemNqn, export, hostNqn, hostId, keepAliveMillis);
                controllers.put(id, c);
                if (export != null && subsystem(subsystemNqn) != export) {
                    follow(c);
                }
                return c;
            }
        }
        return null;
    }

    /** The live controller with this ID, or null. */
    public Controller controller(int cntlid) {
        return controllers.get(cntlid);
    }

    public List<Controller> controllers() {
        return new ArrayList<>(controllers.values());
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
        controllers.remove(c.cntlid(), c);
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
        controllers.values().forEach(this::follow);
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
        for (Controller c : controllers.values()) {
            if (!c.isDiscovery()) {
                c.capacityChanged(unit);
            }
        }
    }

    /** Stops the timer and deletes every controller (closing their connections). */
    @Override
    public void close() {
        registry.removeCapacityListener(capacityListener);
        timer.close();
        for (Controller c : controllers()) {
            c.delete("target stopping");
        }
    }
}
