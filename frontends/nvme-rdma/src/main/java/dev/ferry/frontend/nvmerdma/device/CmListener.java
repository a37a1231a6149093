package dev.ferry.frontend.nvmerdma.device;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.ferry.frontend.nvmerdma.jna.ChannelFd;
import dev.ferry.frontend.nvmerdma.jna.FdWaiter;
import dev.ferry.frontend.nvmerdma.jna.LibRdmacm;
import dev.ferry.frontend.nvmerdma.jna.RdmaCmEvent;
import dev.ferry.frontend.nvmerdma.jna.RdmaConnParam;
import dev.ferry.frontend.nvmerdma.jna.SockaddrIn;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The passive side of RDMA_CM: one event channel, one listening id per address, and one thread that sleeps until
 * an event arrives, hands it to the {@link Handler} and acknowledges it at once (the handler copies what it needs;
 * rdma_destroy_id of a connection waits for its events to be acknowledged, so nothing may hold one).
 */
public final class CmListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CmListener.class);
    static final int BACKLOG = 128;

    /** What the listener reports; called on its thread, must not block. */
    public interface Handler {
        /** RDMA_CM_EVENT_CONNECT_REQUEST on a new id, with a copy of its private data. */
        void connectRequest(Pointer id, Pointer listenId, byte[] privateData, int initiatorDepth);

        /** Any other event of a connection's id ({@link RdmaCmEvent} type). */
        void connectionEvent(Pointer id, int type, int status);
    }

    private final LibRdmacm cm;
    private final Pointer channel;
    private final FdWaiter waiter;
    private final List<Pointer> listenIds = new CopyOnWriteArrayList<>();
    private Thread thread;

    /** Creates the event channel; throws if /dev/infiniband/rdma_cm cannot be opened. */
    public CmListener(LibRdmacm cm) {
        this.cm = cm;
        this.channel = cm.rdma_create_event_channel();
        if (channel == null) {
            throw new IllegalStateException("rdma_create_event_channel failed (errno " + Native.getLastError()
                    + "): is rdma_ucm loaded and /dev/infiniband/rdma_cm accessible?");
        }
        this.waiter = new FdWaiter(ChannelFd.ofEventChannel(channel));
    }

    /** A listening id and the address it is bound to (the port resolved when 0 was asked for). */
    public record Listening(Pointer id, InetSocketAddress address) {
    }

    /** rdma_create_id(RDMA_PS_TCP), rdma_bind_addr, rdma_listen. */
    public Listening listen(String host, int port) throws UnknownHostException {
        InetAddress address = InetAddress.getByName(host);
        if (!(address instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("NVMe/RDMA: only IPv4 portals are supported, not " + host);
        }
        PointerByReference ref = new PointerByReference();
        if (cm.rdma_create_id(channel, ref, null, LibRdmacm.RDMA_PS_TCP) != 0) {
            throw new IllegalStateException("rdma_create_id failed: errno " + Native.getLastError());
        }
        Pointer id = ref.getValue();
        if (cm.rdma_bind_addr(id, SockaddrIn.of(v4, port)) != 0) {
            int errno = Native.getLastError();
            cm.rdma_destroy_id(id);
            throw new IllegalStateException("NVMe/RDMA: cannot bind rdma://" + host + ":" + port + " (errno " + errno
                    + "): no RDMA device has that address, or the port is taken");
        }
        if (cm.rdma_listen(id, BACKLOG) != 0) {
            int errno = Native.getLastError();
            cm.rdma_destroy_id(id);
            throw new IllegalStateException("NVMe/RDMA: rdma_listen on " + host + ":" + port + " failed: errno "
                    + errno);
        }
        listenIds.add(id);
        int boundPort = Short.toUnsignedInt(Short.reverseBytes(cm.rdma_get_src_port(id)));
        return new Listening(id, new InetSocketAddress(address, boundPort));
    }

    /** Stops listening on one id (connections made through it stay). */
    public void stopListening(Pointer id) {
        if (listenIds.remove(id)) {
            cm.rdma_destroy_id(id);
        }
    }

    /** Starts the event thread. */
    public void start(Handler handler) {
        thread = new Thread(() -> events(handler), "nvme-rdma-cm");
        thread.setDaemon(true);
        thread.start();
    }

    private void events(Handler handler) {
        PointerByReference ref = new PointerByReference();
        while (waiter.awaitReadable()) {
            if (cm.rdma_get_cm_event(channel, ref) != 0) {
                continue;
            }
            Pointer event = ref.getValue();
            try {
                int type = RdmaCmEvent.type(event);
                Pointer id = RdmaCmEvent.id(event);
                LOG.debug("nvme/rdma: {} status {}", cm.rdma_event_str(type), RdmaCmEvent.status(event));
                if (type == RdmaCmEvent.CONNECT_REQUEST) {
                    handler.connectRequest(id, RdmaCmEvent.listenId(event), RdmaCmEvent.privateData(event),
                            RdmaConnParam.initiatorDepth(RdmaCmEvent.connParam(event)));
                } else if (listenIds.contains(id)) {
                    LOG.error("nvme/rdma: {} on a listening id; that port stops accepting",
                            cm.rdma_event_str(type));
                } else {
                    handler.connectionEvent(id, type, RdmaCmEvent.status(event));
                }
            } catch (RuntimeException e) {
                LOG.error("nvme/rdma: CM event handling failed", e);
            } finally {
                cm.rdma_ack_cm_event(event);
            }
        }
    }

    /** Stops the thread, then destroys the listening ids and the channel; connection ids must be gone first. */
    @Override
    public void close() {
        waiter.wake();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread != null && thread.isAlive()) { // inside rdma_get_cm_event: the channel must outlive it
            LOG.error("nvme/rdma: CM event thread did not stop; listening ids and event channel left allocated");
            return;
        }
        waiter.close();
        listenIds.forEach(cm::rdma_destroy_id);
        listenIds.clear();
        cm.rdma_destroy_event_channel(channel);
    }
}
