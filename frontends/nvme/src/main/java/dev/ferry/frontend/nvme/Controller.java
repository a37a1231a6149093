package dev.ferry.frontend.nvme;

import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dynamic controller (NVMe Base 2.0 3.1.2, dynamic controller model): created by an admin-queue Connect, owns
 * its queues, properties, features and asynchronous events, and is deleted when its admin queue goes away or its
 * keep-alive timer expires. Admin state changes on the admin queue's loop, the timer thread deletes and raises
 * events, I/O queues read; so shared state is guarded by this object's monitor, and the I/O path only reads
 * volatile fields.
 */
public final class Controller {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final NvmeTarget target;
    private final int cntlid;
    private final String subsystemNqn;
    private final String hostNqn;
    private final UUID hostId;
    private final boolean discovery;
    private final ControllerProperties properties = new ControllerProperties();
    private final Features features;
    private final AsyncEvents events = new AsyncEvents();
    private final ReservationNotifications reservationNotifications;
    private final NvmeQueue[] queues = new NvmeQueue[Limits.MAX_IO_QUEUES + 1];
    private final TreeSet<Long> changedNamespaces = new TreeSet<>();
    private volatile Export export;
    /** The namespaces this host may see (the ACL entry's mask applied), computed once per published export. */
    private volatile NavigableMap<Long, LogicalUnit> namespaces;
    /** The same by primitive NSID, for the lookup every I/O command makes (no Long boxed per command). */
    private volatile LongObjectMap<LogicalUnit> unitsByNsid;
    private volatile long keepAliveMillis;
    /** Traffic before the current queues: the controller's creation, or the last command of a queue since closed. */
    private long earlierTrafficNanos = System.nanoTime();
    private volatile boolean deleted;
    /** The configured portal of the admin queue's connection (its ANA access group); resolved once. */
    private volatile Portal portal;
    private volatile boolean portalResolved;

    Controller(NvmeTarget target, int cntlid, String subsystemNqn, Export export, String hostNqn, UUID hostId,
               long keepAliveMillis) {
        this.target = target;
        this.cntlid = cntlid;
        this.subsystemNqn = subsystemNqn;
        this.export = export;
        this.discovery = export == null;
        this.hostNqn = hostNqn;
        this.namespaces = export == null ? Collections.emptyNavigableMap() : export.unitsFor(hostNqn);
        this.unitsByNsid = byNsid(namespaces);
        this.hostId = hostId;
        this.keepAliveMillis = effectiveKeepAlive(keepAliveMillis);
        this.features = new Features(this);
        this.reservationNotifications = new ReservationNotifications(this);
        reservationNotifications.watch(namespaces);
    }

    public NvmeTarget target() { return target; }
    public int cntlid() { return cntlid; }
    public String subsystemNqn() { return subsystemNqn; }
    public String hostNqn() { return hostNqn; }
    public UUID hostId() { return hostId; }
    public boolean isDiscovery() { return discovery; }
    public ControllerProperties properties() { return properties; }
    public Features features() { return features; }
    public AsyncEvents events() { return events; }
    public ReservationNotifications reservationNotifications() { return reservationNotifications; }
    /** The subsystem as last published in the registry; null for the discovery controller. */
    public Export export() { return export; }
    public boolean isDeleted() { return deleted; }

    /** The portal the host connected the admin queue through, or null when no bound port matches. */
    public Portal portal() {
        if (!portalResolved) {
            NvmeQueue admin = adminQueue();
            if (admin == null) {
                return null;
            }
            portal = Ana.portalOf(target.transport(), admin.transport().localAddress());
            portalResolved = true;
        }
        return portal;
    }

    /** The unit behind a namespace active for this host, or null (also for one its ACL entry masks). */
    public LogicalUnit namespace(long nsid) {
        return unitsByNsid.get(nsid);
    }

    private static LongObjectMap<LogicalUnit> byNsid(Map<Long, LogicalUnit> namespaces) {
        LongObjectMap<LogicalUnit> m = new LongObjectHashMap<>(Math.max(1, namespaces.size()));
        namespaces.forEach(m::put);
        return m;
    }

    /** The namespaces active for this host, by NSID. */
    public NavigableMap<Long, LogicalUnit> namespaces() {
        return namespaces;
    }

    public long keepAliveMillis() { return keepAliveMillis; }

    public void keepAliveMillis(long millis) { this.keepAliveMillis = effectiveKeepAlive(millis); }

    /**
     * A discovery controller never goes without a keep-alive: asked for KATO 0 it uses two minutes (like nvmet's
     * NVMET_DISC_KATO_MS, and the two-minute default NVMe 2.0 gives discovery controllers), so no host, and any
     * host may connect to discovery, holds one idle forever.
     */
    private long effectiveKeepAlive(long millis) {
        return discovery && millis == 0 ? Limits.DISCOVERY_KEEP_ALIVE_MILLIS : millis;
    }

    /**
     * The keep-alive timer's check: any command on any of the controller's queues restarts it (CTRATT.TBKAS, Base
     * 2.0 3.9.4 traffic based keep alive). Each queue keeps its own timestamp; the latest counts.
     */
    boolean keepAliveExpired(long nowNanos) {
        long kato = keepAliveMillis;
        if (kato == 0 || deleted) {
            return false;
        }
        // KATO is rounded up to the KAS granularity and one more granule of slack absorbs the timer's own tick.
        long granule = Limits.KEEP_ALIVE_GRANULARITY_100MS * 100L;
        long allowed = ((kato + granule - 1) / granule + 1) * granule;
        return nowNanos - lastTrafficNanos() > allowed * 1_000_000L;
    }

    private synchronized long lastTrafficNanos() {
        long latest = earlierTrafficNanos;
        for (NvmeQueue q : queues) {
            if (q != null && q.lastCommandNanos() - latest > 0) {
                latest = q.lastCommandNanos();
            }
        }
        return latest;
    }

    /** A queue leaves: its last command still counts as the controller's traffic. */
    private void keepTrafficOf(NvmeQueue q) {
        long last = q.lastCommandNanos();
        if (last - earlierTrafficNanos > 0) {
            earlierTrafficNanos = last;
        }
    }

    /**
     * Closes the queues whose authentication outlived its deadline (a host that connected and never finished,
     * or stalled a re-authentication): the admin queue's takes the controller with it.
     */
    void closeExpiredAuthentications(long nowNanos) {
        List<NvmeQueue> expired = new ArrayList<>();
        synchronized (this) {
            for (NvmeQueue q : queues) {
                if (q != null && q.authenticationExpired(nowNanos)) {
                    expired.add(q);
                }
            }
        }
        for (NvmeQueue q : expired) {
            LOG.warn("nvme controller {} of {}: {} did not authenticate queue {} in time, closing", cntlid,
                    subsystemNqn, hostNqn, q.qid());
            q.transport().close();
        }
    }

    /** Installs a queue; false when that queue id is already in use or the controller is gone. */
    public synchronized boolean attach(int qid, NvmeQueue queue) {
        if (deleted || queues[qid] != null) {
            return false;
        }
        queues[qid] = queue;
        return true;
    }

    public synchronized NvmeQueue adminQueue() {
        return queues[0];
    }

    /** I/O queue ids the host may connect: the Number of Queues feature's allocation. */
    public int ioQueueLimit() {
        return features.ioQueuesAllocated();
    }

    /** Whether any I/O queue exists (Number of Queues may only change before, Base 2.0 5.27.1.5). */
    public synchronized boolean hasIoQueues() {
        for (int i = 1; i < queues.length; i++) {
            if (queues[i] != null) {
                return true;
            }
        }
        return false;
    }

    /** Called when a queue's connection closed: an I/O queue just goes, the admin queue takes the controller. */
    void queueClosed(int qid, NvmeQueue queue) {
        if (qid == 0) {
            delete("admin queue closed");
            return;
        }
        synchronized (this) {
            if (queues[qid] == queue) {
                keepTrafficOf(queue);
                queues[qid] = null;
            }
        }
    }

    /** CC.EN cleared: a controller reset deletes every I/O queue (Base 2.0 3.7.2). */
    public void resetIoQueues() {
        for (NvmeQueue q : takeQueues(1)) {
            q.transport().close();
        }
    }

    /** Deletes the controller: frees its id and closes every queue's connection. Idempotent; any thread. */
    public void delete(String reason) {
        List<NvmeQueue> toClose;
        NvmeQueue admin;
        synchronized (this) {
            if (deleted) {
                return;
            }
            deleted = true;
            admin = queues[0];
            toClose = takeQueues(0);
        }
        LOG.info("nvme controller {} of {} for {} deleted: {}", cntlid, subsystemNqn, hostNqn, reason);
        target.removeController(this);
        events.dropAll(admin);
        toClose.forEach(q -> q.transport().close());
    }

    private synchronized List<NvmeQueue> takeQueues(int from) {
        List<NvmeQueue> out = new ArrayList<>();
        for (int i = from; i < queues.length; i++) {
            if (queues[i] != null) {
                keepTrafficOf(queues[i]);
                out.add(queues[i]);
                queues[i] = null;
            }
        }
        return out;
    }

    /**
     * The registry published a new version of this subsystem: namespaces this host sees that appeared, went or
     * changed their unit are recorded for the Changed Namespace List log and announced with a Namespace Attribute
     * Changed event (Base 2.0 5.16.1.5).
     */
    void exportChanged(Export now) {
        Map<Long, LogicalUnit> before = namespaces;
        NavigableMap<Long, LogicalUnit> after = now.unitsFor(hostNqn);
        export = now;
        namespaces = after;
        unitsByNsid = byNsid(after);
        reservationNotifications.watch(after);
        TreeSet<Long> changed = new TreeSet<>();
        before.forEach((id, u) -> {
            if (after.get(id) != u) {
                changed.add(id);
            }
        });
        after.forEach((id, u) -> {
            if (before.get(id) != u) {
                changed.add(id);
            }
        });
        namespacesChanged(changed);
    }

    /**
     * A unit was resized: each namespace of it this controller's host sees changed its NSZE/NCAP/NUSE, which
     * Identify Namespace reads from the unit; the host is told as for any namespace attribute change.
     */
    void capacityChanged(LogicalUnit unit) {
        TreeSet<Long> changed = new TreeSet<>();
        namespaces.forEach((id, u) -> {
            if (u == unit) {
                changed.add(id);
            }
        });
        namespacesChanged(changed);
    }

    /**
     * Records the namespaces for the Changed Namespace List log (04h) and raises Namespace Attribute Changed
     * (Base 2.0 5.2) when the host enabled it with Set Features Asynchronous Event Configuration.
     */
    private void namespacesChanged(TreeSet<Long> changed) {
        if (changed.isEmpty()) {
            return;
        }
        synchronized (this) {
            changedNamespaces.addAll(changed);
        }
        if (features.asyncEventEnabled(AsyncEvents.AEC_NAMESPACE_ATTRIBUTE)) {
            events.raise(AsyncEvents.NAMESPACE_ATTRIBUTE_CHANGED, adminQueue());
        }
    }

    /** The discovery log of this discovery controller's host changed. */
    void discoveryChanged() {
        if (features.asyncEventEnabled(AsyncEvents.AEC_DISCOVERY_LOG_CHANGE)) {
            events.raise(AsyncEvents.DISCOVERY_LOG_CHANGED, adminQueue());
        }
    }

    /** Changed Namespace List log content; reading it without RAE clears it and re-arms the event. */
    public synchronized List<Long> changedNamespaces(boolean retainEvent) {
        List<Long> out = new ArrayList<>(changedNamespaces);
        if (!retainEvent) {
            changedNamespaces.clear();
            events.rearm(AsyncEvents.NAMESPACE_ATTRIBUTE_CHANGED);
        }
        return out;
    }
}
