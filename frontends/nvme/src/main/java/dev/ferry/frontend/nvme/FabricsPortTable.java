package dev.ferry.frontend.nvme;

import dev.ferry.core.config.Portal;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening ports of one NVMe transport (nvmet's list of {@code struct nvmet_port}): the distinct portals of
 * that transport in the registry's nvme exports, each bound once, with a PORTID that stays while the port exists
 * and is never reused. The transport does the binding; this keeps the bookkeeping that discovery reads.
 */
public final class FabricsPortTable {
    private static final Logger LOG = LoggerFactory.getLogger(FabricsPortTable.class);

    /** How a transport listens on one portal. */
    public interface Binder {
        /** Starts listening and returns where; throws with a message naming the portal when it cannot. */
        InetSocketAddress bind(Portal portal) throws Exception;

        /** Stops listening (connections made through the port stay, as iSCSI's do). */
        void unbind(Portal portal);
    }

    private final UnitRegistry registry;
    private final String transport;
    private final Binder binder;
    private final Map<Portal, FabricsPort> bound = new LinkedHashMap<>();
    private volatile List<FabricsPort> ports = List.of();
    private int nextPortId = 1;

    /** @param transport the portals this table takes ({@link Portal#TCP} or {@link Portal#RDMA}) */
    public FabricsPortTable(UnitRegistry registry, String transport, Binder binder) {
        this.registry = registry;
        this.transport = transport;
        this.binder = binder;
    }

    /** The bound ports, for discovery. */
    public List<FabricsPort> ports() {
        return ports;
    }

    public List<InetSocketAddress> boundAddresses() {
        return ports.stream().map(FabricsPort::bound).toList();
    }

    /** The port of a bound portal, or null. */
    public synchronized FabricsPort port(Portal portal) {
        return bound.get(portal);
    }

    /**
     * Binds the wanted portals not bound yet, then unbinds those no export uses any more. When a portal cannot be
     * bound, unbinds what this call bound and throws, so the ports are as before.
     */
    public synchronized void reconcile() throws Exception {
        Set<Portal> wanted = wantedPortals();
        List<Portal> added = new ArrayList<>();
        try {
            for (Portal p : wanted) {
                if (!bound.containsKey(p)) {
                    FabricsPort port = new FabricsPort(nextPortId++, p, binder.bind(p));
                    bound.put(p, port);
                    added.add(p);
                    LOG.info("nvme/{} port {} bound at {} (PORTID {})", transport, p, port.bound(), port.portId());
                }
            }
        } catch (Exception e) {
            added.forEach(this::unbind);
            ports = List.copyOf(bound.values());
            throw e;
        }
        for (Portal p : List.copyOf(bound.keySet())) {
            if (!wanted.contains(p)) {
                LOG.info("nvme/{} port {} (PORTID {}) unbound", transport, p, bound.get(p).portId());
                unbind(p);
            }
        }
        ports = List.copyOf(bound.values());
    }

    /** Unbinds every port. */
    public synchronized void unbindAll() {
        List.copyOf(bound.keySet()).forEach(this::unbind);
        ports = List.of();
    }

    private void unbind(Portal p) {
        bound.remove(p);
        binder.unbind(p);
    }

    /** This transport's portals of the registry's nvme exports, each once. */
    private Set<Portal> wantedPortals() {
        Set<Portal> portals = new LinkedHashSet<>();
        for (Export e : registry.exports(TargetConfig.NVME)) {
            e.portals().stream().filter(p -> p.transport().equals(transport)).forEach(portals::add);
        }
        return portals;
    }
}
