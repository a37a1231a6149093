package dev.ferry.frontend.nvmerdma;

import com.sun.jna.Pointer;
import dev.ferry.core.config.Portal;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.ExportsChangedListener;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.SessionSource;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.FabricsPort;
import dev.ferry.frontend.nvme.FabricsPortTable;
import dev.ferry.frontend.nvme.FabricsTransport;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvmerdma.cm.ConnectRequestCheck;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmConnectPrivateData;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmRejectPrivateData;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmStatus;
import dev.ferry.frontend.nvmerdma.device.CmListener;
import dev.ferry.frontend.nvmerdma.device.RdmaDevice;
import dev.ferry.frontend.nvmerdma.jna.RdmaCmEvent;
import dev.ferry.frontend.nvmerdma.jna.RdmaCmId;
import dev.ferry.frontend.nvmerdma.jna.RdmaLibraries;
import dev.ferry.frontend.nvmerdma.jna.VerbsConnection;
import dev.ferry.frontend.transport.SharedEventLoops;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVMe/RDMA frontend: listens through RDMA_CM on every {@code rdma://} portal of every {@code nvme} export and
 * serves those subsystems and the discovery subsystem there (its discovery log lists its RDMA ports); one
 * {@link RdmaQueuePair} per RDMA_CM connection, each on one of the process's {@link SharedEventLoops shared event
 * loops} (beside the TCP connections), with the core's completion queue of that loop. Devices are opened when the
 * first connection arrives on them. rdma-core is loaded only when there is an rdma portal at all.
 */
public final class NvmeRdmaFrontend implements Frontend, FabricsTransport, ExportsChangedListener, SessionSource {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeRdmaFrontend.class);
    /** Discovery TRTYPE for RDMA (Base 2.0 Figure 294). */
    static final int TRTYPE_RDMA = 1;
    /** In-capsule data accepted on I/O queues (IOCCSZ = 4 + 8192 / 16): small writes skip the RDMA READ. */
    static final int IO_IN_CAPSULE_DATA = 8192;
    /** RDMA READs in flight per QP at most (ORD): what common RNICs support; the host's IRD may lower it. */
    static final int MAX_INITIATOR_DEPTH = 16;
    private static final long DRAIN_TIMEOUT_MILLIS = 5000;

    private final NvmeTarget target;
    /** Live queue pairs by their CM id's address, for the CM thread to route events. */
    private final Map<Long, RdmaQueuePair> queuePairs = new ConcurrentHashMap<>();
    private final Map<Long, RdmaDevice> devices = new HashMap<>();
    private final FabricsPortTable ports;
    /** Listening ids by portal (guarded by this object), and where each listens by id, for the CM thread. */
    private final Map<Portal, Pointer> listenIds = new HashMap<>();
    private final Map<Long, InetSocketAddress> listenAddresses = new ConcurrentHashMap<>();
    private RdmaLibraries libs;
    private CmListener listener;
    /** The shared loops, leased with the first rdma portal. */
    private volatile SharedEventLoops.Lease loops;
    private volatile boolean stopping;

    public NvmeRdmaFrontend(UnitRegistry registry) {
        this.target = new NvmeTarget(registry, this);
        this.ports = new FabricsPortTable(registry, Portal.RDMA, new FabricsPortTable.Binder() {
            @Override
            public InetSocketAddress bind(Portal p) throws Exception {
                return listen(p);
            }

            @Override
            public void unbind(Portal p) {
                stopListening(p);
            }
        });
    }

    @Override
    public String protocol() {
        return TargetConfig.NVME;
    }

    @Override
    public String transport() {
        return Portal.RDMA;
    }

    /** Binds every rdma portal; without any, loads nothing. Throws saying what is missing when RDMA is unusable. */
    @Override
    public synchronized void start() throws Exception {
        try {
            ports.reconcile();
        } catch (Exception e) {
            close();
            throw e;
        }
        target.start();
    }

    private InetSocketAddress listen(Portal p) throws Exception {
        if (listener == null) {
            libs = RdmaAvailability.require();
            listener = new CmListener(libs.cm());
            loops = SharedEventLoops.acquire();
            listener.start(new Events());
        }
        CmListener.Listening l = listener.listen(p.host(), p.port());
        Pointer id = l.id();
        listenIds.put(p, id);
        listenAddresses.put(Pointer.nativeValue(id), l.address());
        return l.address();
    }

    private void stopListening(Portal p) {
        Pointer id = listenIds.remove(p);
        if (id != null) {
            listenAddresses.remove(Pointer.nativeValue(id));
            listener.stopListening(id);
        }
    }

    /** Follows a new registry snapshot: binds new rdma portals, unbinds unused ones, tells the controller model. */
    @Override
    public synchronized void exportsChanged() throws Exception {
        if (stopping) {
            return;
        }
        ports.reconcile();
        target.exportsChanged();
    }

    /** CM events, on the listener's thread: everything about a connection runs on its event loop. */
    private final class Events implements CmListener.Handler {
        @Override
        public void connectRequest(Pointer id, Pointer listenId, byte[] privateData, int initiatorDepth) {
            EventExecutor loop = loops.group().next();
            InetSocketAddress local = listenAddresses.get(Pointer.nativeValue(listenId));
            loop.execute(() -> accept(id, local, privateData, Math.min(initiatorDepth, MAX_INITIATOR_DEPTH), loop));
        }

        @Override
        public void connectionEvent(Pointer id, int type, int status) {
            RdmaQueuePair qp = queuePairs.get(Pointer.nativeValue(id));
            if (qp == null) {
                return;
            }
            switch (type) {
                case RdmaCmEvent.ESTABLISHED -> qp.executor().execute(qp::established);
                case RdmaCmEvent.DISCONNECTED, RdmaCmEvent.TIMEWAIT_EXIT, RdmaCmEvent.DEVICE_REMOVAL,
                        RdmaCmEvent.REJECTED, RdmaCmEvent.UNREACHABLE, RdmaCmEvent.CONNECT_ERROR ->
                        qp.executor().execute(qp::disconnected);
                default -> LOG.debug("nvme/rdma: CM event {} (status {}) ignored", type, status);
            }
        }
    }

    /** A connect request, on the executor it will live on: QP sized from the private data, then the state machine. */
    private void accept(Pointer id, InetSocketAddress local, byte[] privateData, int initiatorDepth,
            EventExecutor loop) {
        long key = Pointer.nativeValue(id);
        try {
            RdmaDevice device = device(RdmaCmId.verbs(id));
            ConnectRequestCheck.Result check = ConnectRequestCheck.check(privateData);
            // Once rdma_destroy_id has freed the id, a new connection's id may have its address (the key) before
            // onDestroyed runs: remove only this queue pair's entry, never the newcomer's.
            AtomicReference<RdmaQueuePair> created = new AtomicReference<>();
            VerbsConnection c = stopping || local == null ? null
                    : device.connection(id, check.depths(), initiatorDepth, loop,
                            () -> queuePairs.remove(key, created.get()));
            if (c == null) {
                rejectWithoutQp(device, id, loop);
                return;
            }
            RdmaQueuePair qp = new RdmaQueuePair(target, c, loop, loops.completionQueue(loop), local,
                    IO_IN_CAPSULE_DATA);
            created.set(qp);
            queuePairs.put(key, qp);
            try {
                qp.connectRequest(privateData);
            } catch (RuntimeException e) {
                LOG.warn("nvme/rdma: accepting a connection failed", e);
                qp.disconnected();
            }
        } catch (RuntimeException e) {
            LOG.error("nvme/rdma: connect request failed", e);
            libs.cm().rdma_reject(id, null, (byte) 0);
            libs.cm().rdma_destroy_id(id);
        }
    }

    /** Out of CQ room, or shutting down: RDMA_CM_REJECT with NO_RESOURCES. */
    private void rejectWithoutQp(RdmaDevice device, Pointer id, Executor loop) {
        VerbsConnection c = device.connection(id, null, 0, loop, () -> { });
        c.reject(new RdmaCmRejectPrivateData(RdmaCmConnectPrivateData.RECFMT_1_0, RdmaCmStatus.NO_RESOURCES)
                .encode());
        c.destroy();
    }

    private synchronized RdmaDevice device(Pointer context) {
        return devices.computeIfAbsent(Pointer.nativeValue(context),
                k -> RdmaDevice.open(libs, context, String.valueOf(devices.size())));
    }

    /** Open RDMA connections (queues, discovery ones included): every QP and CM id not yet destroyed. */
    public int connectionCount() {
        return queuePairs.size();
    }

    @Override
    public List<InetSocketAddress> boundAddresses() {
        return ports.boundAddresses();
    }

    @Override
    public int transportType() {
        return TRTYPE_RDMA;
    }

    @Override
    public int ioInCapsuleDataSize() {
        return IO_IN_CAPSULE_DATA;
    }

    /** One keyed or in-capsule descriptor per command, as {@link RdmaQueuePair} handles. */
    @Override
    public int maxSglDescriptors() {
        return 1;
    }

    /** Host data is named by keyed descriptors and moved by RDMA READ/WRITE (the Linux host requires it). */
    @Override
    public boolean keyedSglDescriptors() {
        return true;
    }

    @Override
    public byte[] transportSpecificAddress() {
        return RdmaTsas.encode();
    }

    @Override
    public List<FabricsPort> ports() {
        return ports.ports();
    }

    /** One session per I/O controller; RDMA_CM gives no IP peer address here. */
    @Override
    public List<Session> liveSessions() {
        List<Session> out = new ArrayList<>();
        for (Controller c : target.controllers()) {
            if (!c.isDiscovery() && !c.isDeleted() && c.adminQueue() != null) {
                out.add(new Session(protocol(), c.subsystemNqn(), c.hostNqn(), null, String.valueOf(c.cntlid())));
            }
        }
        out.sort(Comparator.comparingInt(s -> Integer.parseInt(s.id())));
        return out;
    }

    /**
     * Deletes the controllers, disconnects every queue pair and waits until each has freed its QP and id (their
     * posted work requests flushed) and no request is with a backend any more (its data may be registered memory),
     * then stops the CM thread and the devices and gives back the shared loops. Every wait is bounded.
     */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
        }
        target.close();
        queuePairs.values().forEach(qp -> qp.executor().execute(qp::disconnected));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MILLIS);
        while (!queuePairs.isEmpty() && System.nanoTime() < deadline) {
            sleep();
        }
        if (!queuePairs.isEmpty()) {
            LOG.warn("nvme/rdma: {} queue pairs did not drain at shutdown", queuePairs.size());
        }
        // The loops are shared: requests of other frontends count too, which only makes the wait longer.
        if (loops != null && !loops.awaitNoRequestsInFlight(deadline)) {
            LOG.warn("nvme/rdma: requests still in flight at shutdown");
        }
        synchronized (this) {
            ports.unbindAll();
            if (listener != null) {
                listener.close();
            }
            devices.values().forEach(RdmaDevice::close);
            devices.clear();
        }
        if (loops != null) {
            loops.close();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
