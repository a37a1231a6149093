package dev.ferry.frontend.nvme;

import dev.ferry.backend.ram.RamBackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.nvme.spec.Cqe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Drives the controller model without a network: a fake transport per queue on one single-threaded "event loop",
 * RAM backstores in a real registry, and commands built as raw 64-byte SQEs.
 */
final class ModelHarness implements AutoCloseable {
    static final String NQN = "nqn.2024-01.dev.ferry:model";
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    static final int CC_ENABLE = 1 | 6 << 16 | 4 << 20;

    /** A completion as the transport saw it. */
    record Done(int status, long result, int sqHead, int sqId, int cid, byte[] data) {
    }

    final ExecutorService loop = Executors.newSingleThreadExecutor();
    final UnitRegistry registry = new UnitRegistry();
    final Map<String, LogicalUnit> units = new HashMap<>();
    final NvmeTarget target;
    final List<Portal> portals = List.of(new Portal("127.0.0.1", 4420));

    final class FakeQueue implements QueueTransport {
        final BlockingQueue<Done> done = new LinkedBlockingQueue<>();
        final CompletionQueue cq = new CompletionQueue(loop, 64);
        volatile boolean closed;
        /** Thrown by the next {@link #complete}, as a transport failing to allocate its response would. */
        volatile Error failNextComplete;
        NvmeQueue queue;

        @Override
        public void complete(NvmeRequest r) {
            Error e = failNextComplete;
            if (e != null) {
                failNextComplete = null;
                r.release();
                throw e;
            }
            ByteBuf cqe = Unpooled.buffer(Cqe.SIZE);
            r.writeCqe(cqe);
            ByteBuf d = r.controllerData();
            done.add(new Done(Cqe.status(cqe), cqe.getLongLE(0), cqe.getUnsignedShortLE(8),
                    cqe.getUnsignedShortLE(10), cqe.getUnsignedShortLE(12), d == null ? null : ByteBufUtil.getBytes(d)));
            r.release();
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public Executor executor() {
            return loop;
        }

        @Override
        public CompletionQueue completionQueue() {
            return cq;
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 4420);
        }

        /** Runs one command on the loop (host data given directly) and waits for its completion. */
        Done run(ByteBuffer sqe, byte[] hostData) throws Exception {
            submit(sqe, hostData);
            return next();
        }

        void submit(ByteBuffer sqe, byte[] hostData) throws Exception {
            loop.submit(() -> {
                NvmeRequest r = queue.request().sqe(Unpooled.wrappedBuffer(sqe.array()), 0);
                queue.receive(r);
                if (!r.isCompleted()) {
                    if (r.hostDataLength() > 0) {
                        r.hostData(Unpooled.wrappedBuffer(hostData, 0, r.hostDataLength()));
                    }
                    queue.execute(r);
                }
            }).get();
        }

        /** Receives a command but holds back its data: it stays pending, as while a transport waits for H2CData. */
        NvmeRequest receiveOnly(ByteBuffer sqe) throws Exception {
            return loop.submit(() -> {
                NvmeRequest r = queue.request().sqe(Unpooled.wrappedBuffer(sqe.array()), 0);
                queue.receive(r);
                return r;
            }).get();
        }

        /** The held-back data of a pending command arrived: runs it. */
        void deliver(NvmeRequest r, byte[] hostData) throws Exception {
            loop.submit(() -> {
                if (r.hostDataLength() > 0) {
                    r.hostData(Unpooled.wrappedBuffer(hostData, 0, r.hostDataLength()));
                }
                queue.execute(r);
            }).get();
        }

        /** The transport's connection closed. */
        void connectionClosed() throws Exception {
            loop.submit(() -> queue.closed()).get();
        }

        Done next() throws InterruptedException {
            Done d = done.poll(5, TimeUnit.SECONDS);
            if (d == null) {
                throw new AssertionError("no completion");
            }
            return d;
        }
    }

    ModelHarness(int... blockSizes) throws Exception {
        this(ControllerLimits.DEFAULT, blockSizes);
    }

    ModelHarness(ControllerLimits limits, int... blockSizes) throws Exception {
        FabricsTransport transport = new FabricsTransport() {
            public int transportType() { return 3; }
            public int ioInCapsuleDataSize() { return 8192; }
            public int maxSglDescriptors() { return 1; }
            public byte[] transportSpecificAddress() { return new byte[256]; }
            public List<FabricsPort> ports() {
                return List.of(new FabricsPort(1, portals.get(0), new InetSocketAddress("127.0.0.1", 4420)));
            }
        };
        for (int i = 0; i < blockSizes.length; i++) {
            addUnit("disk" + i, blockSizes[i], false);
        }
        publish(blockSizes.length);
        target = new NvmeTarget(registry, transport, limits);
        target.start();
    }

    LogicalUnit addUnit(String name, int blockSize, boolean readOnly) throws Exception {
        LogicalUnit u = new LogicalUnit(new RamBackendFactory().open(new BackstoreConfig(name, "ram", "1M", null,
                blockSize, null, readOnly, null, null, null)), 1);
        u.start();
        units.put(name, u);
        return u;
    }

    /** Publishes the subsystem with namespaces 1..n mapped to disk0..disk(n-1) and tells the target, as a transport does. */
    void publish(int namespaces) {
        TreeMap<Long, LogicalUnit> ns = new TreeMap<>();
        for (int i = 0; i < namespaces; i++) {
            ns.put((long) i + 1, units.get("disk" + i));
        }
        registry.replace(units, List.of(new Export(NQN, "nvme", null, portals, ns, Set.of(HOST), false)));
        if (target != null) {
            target.exportsChanged();
        }
    }

    FakeQueue queue() {
        FakeQueue q = new FakeQueue();
        q.queue = target.newQueue(q);
        return q;
    }

    /** Admin queue connected and enabled; returns it. */
    FakeQueue admin(int kato) throws Exception {
        return admin(NQN, HOST, kato);
    }

    /** An enabled admin queue of a new controller of {@code subnqn} (the discovery NQN too) for {@code host}. */
    FakeQueue admin(String subnqn, String host, int kato) throws Exception {
        FakeQueue q = queue();
        Done c = q.run(connect(0, 31, kato), connectData(0xFFFF, subnqn, host));
        if (c.status() != 0) {
            throw new AssertionError("connect failed: " + Integer.toHexString(c.status()));
        }
        q.run(propertySet(ControllerProperties.CC, CC_ENABLE), null);
        return q;
    }

    int cntlid(FakeQueue admin) {
        return admin.queue.controller().cntlid();
    }

    static ByteBuffer sqe(int opcode, long nsid) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) opcode).put(1, (byte) 0x40).putShort(2, (short) 1).putInt(4, (int) nsid);
        b.put(39, (byte) 0x5A);
        return b;
    }

    static ByteBuffer withSgl(ByteBuffer sqe, int length) {
        sqe.putInt(32, length);
        return sqe;
    }

    static ByteBuffer connect(int qid, int sqsize, int kato) {
        ByteBuffer b = withSgl(sqe(0x7F, 0), 1024);
        b.put(4, (byte) 0x01).putShort(42, (short) qid).putShort(44, (short) sqsize).putInt(48, kato);
        b.put(39, (byte) 0x01);
        return b;
    }

    static byte[] connectData(int cntlid, String subnqn, String hostnqn) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, 0x0102030405060708L).putLong(8, 0x1112131415161718L).putShort(16, (short) cntlid);
        b.put(256, subnqn.getBytes(StandardCharsets.UTF_8)).put(512, hostnqn.getBytes(StandardCharsets.UTF_8));
        return b.array();
    }

    static ByteBuffer propertySet(int offset, int value) {
        ByteBuffer b = sqe(0x7F, 0);
        b.put(4, (byte) 0x00).put(40, (byte) 0).putInt(44, offset).putLong(48, value & 0xFFFFFFFFL);
        return b;
    }

    static ByteBuffer propertyGet(int offset, boolean eightBytes) {
        ByteBuffer b = sqe(0x7F, 0);
        b.put(4, (byte) 0x04).put(40, (byte) (eightBytes ? 1 : 0)).putInt(44, offset);
        return b;
    }

    static ByteBuffer identify(int cns, long nsid) {
        ByteBuffer b = withSgl(sqe(0x06, nsid), 4096);
        b.putInt(40, cns);
        return b;
    }

    static ByteBuffer getLogPage(int lid, int bytes, boolean rae) {
        ByteBuffer b = withSgl(sqe(0x02, 0xFFFFFFFFL), bytes);
        b.putInt(40, lid | (rae ? 1 << 15 : 0) | (bytes / 4 - 1) << 16);
        return b;
    }

    static ByteBuffer le(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws Exception {
        target.close();
        loop.shutdown();
        loop.awaitTermination(5, TimeUnit.SECONDS);
        for (LogicalUnit u : new ArrayList<>(units.values())) {
            u.close();
        }
    }
}
