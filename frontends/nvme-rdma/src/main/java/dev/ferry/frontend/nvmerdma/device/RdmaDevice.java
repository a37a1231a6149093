package dev.ferry.frontend.nvmerdma.device;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.ferry.frontend.nvmerdma.cm.QueueDepths;
import dev.ferry.frontend.nvmerdma.jna.ChannelFd;
import dev.ferry.frontend.nvmerdma.jna.CompletionPoller;
import dev.ferry.frontend.nvmerdma.jna.FdWaiter;
import dev.ferry.frontend.nvmerdma.jna.IbvDeviceAttr;
import dev.ferry.frontend.nvmerdma.jna.IbvQpInitAttr;
import dev.ferry.frontend.nvmerdma.jna.RdmaLibraries;
import dev.ferry.frontend.nvmerdma.jna.RegisteredMemory;
import dev.ferry.frontend.nvmerdma.jna.RegisteredMemory.SizeClass;
import dev.ferry.frontend.nvmerdma.jna.VerbsConnection;
import dev.ferry.frontend.nvmerdma.jna.VerbsOps;
import dev.ferry.frontend.nvme.Limits;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RDMA device (an {@code ibv_context} that connections arrive on): one protection domain, the registered
 * buffers, one completion queue shared by every QP with its completion channel, and one completion thread that
 * sleeps in the channel (never busy-polls), then drains the CQ and hands each completion to its connection's
 * executor. nvmet's {@code struct nvmet_rdma_device}.
 */
public final class RdmaDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RdmaDevice.class);
    /**
     * CQ entries wanted, or the device's max_cqe when smaller (soft-RoCE: 32767): every QP reserves its send and
     * receive depths there (384 for a 128-entry I/O queue), and a connection beyond it is refused NO_RESOURCES.
     */
    static final int CQ_ENTRIES = 32768;
    /**
     * Registered buffers by size: response capsules, command capsules (SQE + 8 KiB in-capsule data), then data
     * buffers for RDMA READ/WRITE up to MDTS. About 58 MiB registered at open, then one more region of a class
     * whenever it is full, up to {@link #REGISTERED_LIMIT}.
     */
    static final List<SizeClass> SIZE_CLASSES = List.of(
            new SizeClass(64, 4096),
            new SizeClass(64 + Limits.ADMIN_IN_CAPSULE_DATA, 2048),
            new SizeClass(64 * 1024, 256),
            new SizeClass(Limits.MAX_DATA_TRANSFER, 48));
    /** Registered memory per device at most: the capsules of 64 full I/O queues and ample data buffers. */
    static final long REGISTERED_LIMIT = 512L << 20;

    private final RdmaLibraries libs;
    private final Pointer pd;
    private final RegisteredMemory memory;
    private final Pointer channel;
    private final Pointer cq;
    private final int cqEntries;
    private final FdWaiter waiter;
    private final Thread completionThread;
    private final Map<Integer, VerbsConnection> connections = new ConcurrentHashMap<>();
    private int nextConnection = 1;
    private int reservedCqEntries;

    private RdmaDevice(RdmaLibraries libs, Pointer pd, RegisteredMemory memory, Pointer channel,
            Pointer cq, int cqEntries, String name) {
        this.libs = libs;
        this.pd = pd;
        this.memory = memory;
        this.channel = channel;
        this.cq = cq;
        this.cqEntries = cqEntries;
        this.waiter = new FdWaiter(ChannelFd.ofCompletionChannel(channel));
        this.completionThread = new Thread(this::completions, "nvme-rdma-cq-" + name);
        completionThread.setDaemon(true);
    }

    /** Opens the device of {@code context} (a CM id's {@code verbs}) and starts its completion thread. */
    public static RdmaDevice open(RdmaLibraries libs, Pointer context, String name) {
        Pointer pd = libs.verbs().ibv_alloc_pd(context);
        if (pd == null) {
            throw new IllegalStateException("ibv_alloc_pd failed: errno " + Native.getLastError());
        }
        RegisteredMemory memory = null;
        Pointer channel = null;
        try {
            memory = new RegisteredMemory(libs.verbs(), pd, SIZE_CLASSES, REGISTERED_LIMIT);
            channel = libs.verbs().ibv_create_comp_channel(context);
            if (channel == null) {
                throw new IllegalStateException("ibv_create_comp_channel failed: errno " + Native.getLastError());
            }
            int entries = Math.min(CQ_ENTRIES, maxCqe(libs, context));
            Pointer cq = libs.verbs().ibv_create_cq(context, entries, null, channel, 0);
            if (cq == null) {
                throw new IllegalStateException("ibv_create_cq(" + entries + ") failed: errno "
                        + Native.getLastError());
            }
            VerbsOps.reqNotifyCq(cq, false);
            RdmaDevice device = new RdmaDevice(libs, pd, memory, channel, cq, entries, name);
            device.completionThread.start();
            return device;
        } catch (RuntimeException e) {
            if (channel != null) {
                libs.verbs().ibv_destroy_comp_channel(channel);
            }
            if (memory != null) {
                memory.close();
            }
            libs.verbs().ibv_dealloc_pd(pd);
            throw e;
        }
    }

    private static int maxCqe(RdmaLibraries libs, Pointer context) {
        Memory attr = new Memory(IbvDeviceAttr.SIZE);
        if (libs.verbs().ibv_query_device(context, attr) != 0) {
            throw new IllegalStateException("ibv_query_device failed: errno " + Native.getLastError());
        }
        return IbvDeviceAttr.maxCqe(attr);
    }

    /**
     * A connection for the CM id of a connect request. With {@code depths} (the request is acceptable) its RC QP is
     * created on this device's PD and CQ; null then means the CQ has no room left for it (reject NO_RESOURCES).
     * Without, the connection has no QP and serves only to reject. {@code onDestroyed} runs once it is freed.
     */
    public synchronized VerbsConnection connection(Pointer id, QueueDepths depths, int initiatorDepth,
            Executor executor, Runnable onDestroyed) {
        int entries = depths == null ? 0 : depths.commandSlots() + depths.sendQueueDepth();
        if (reservedCqEntries + entries > cqEntries) {
            return null;
        }
        if (depths != null) {
            Memory attr = new Memory(IbvQpInitAttr.SIZE);
            IbvQpInitAttr.write(attr, cq, depths.sendQueueDepth(), depths.commandSlots());
            if (libs.cm().rdma_create_qp(id, pd, attr) != 0) {
                throw new IllegalStateException("rdma_create_qp failed: errno " + Native.getLastError());
            }
        }
        reservedCqEntries += entries;
        int number = nextConnection++;
        VerbsConnection c = new VerbsConnection(libs.cm(), id, memory, number, executor, initiatorDepth,
                () -> {
                    released(number, entries);
                    onDestroyed.run();
                });
        connections.put(number, c);
        return c;
    }

    private synchronized void released(int number, int entries) {
        connections.remove(number);
        reservedCqEntries -= entries;
    }

    /** Sleep on the channel; on an event: ack, re-arm, then poll until empty (re-arming first loses nothing). */
    private void completions() {
        CompletionPoller poller = new CompletionPoller(cq, this::dispatch);
        PointerByReference eventCq = new PointerByReference();
        PointerByReference eventContext = new PointerByReference();
        while (waiter.awaitReadable()) {
            if (libs.verbs().ibv_get_cq_event(channel, eventCq, eventContext) != 0) {
                continue;
            }
            libs.verbs().ibv_ack_cq_events(cq, 1);
            VerbsOps.reqNotifyCq(cq, false);
            int rc = poller.drain();
            if (rc < 0) {
                LOG.error("nvme/rdma: ibv_poll_cq failed with {}", rc);
            }
        }
    }

    private void dispatch(long wrId, int status, int byteLength) {
        VerbsConnection c = connections.get(VerbsConnection.connectionOf(wrId));
        if (c != null) {
            c.executor().execute(() -> c.completed(wrId, status, byteLength));
        }
    }

    /** Stops the completion thread and frees the CQ, channel, memory and PD; after every QP was destroyed. */
    @Override
    public void close() {
        waiter.wake();
        try {
            completionThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (completionThread.isAlive()) { // still polling: freeing the CQ under it would crash the JVM
            LOG.error("nvme/rdma: completion thread did not stop; device resources left allocated");
            return;
        }
        waiter.close();
        if (!connections.isEmpty()) {
            LOG.warn("nvme/rdma: {} connections still open on the device at close", connections.size());
        }
        int rc = libs.verbs().ibv_destroy_cq(cq);
        if (rc != 0) {
            LOG.warn("nvme/rdma: ibv_destroy_cq failed with {}", rc);
        }
        libs.verbs().ibv_destroy_comp_channel(channel);
        memory.close();
        libs.verbs().ibv_dealloc_pd(pd);
    }
}
