package dev.ferry.frontend.nvmerdma;

import dev.ferry.backend.ram.RamBackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.nvme.FabricsPort;
import dev.ferry.frontend.nvme.FabricsTransport;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvme.spec.Cqe;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmConnectPrivateData;
import dev.ferry.frontend.nvmerdma.sgl.InCapsuleSglDescriptor;
import dev.ferry.frontend.nvmerdma.sgl.KeyedSglDescriptor;
import dev.ferry.frontend.nvmerdma.verbs.WorkCompletion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real controller model over a 1 MiB RAM namespace, with queue pairs on fake verbs; everything the queue pair
 * does runs on one single-threaded loop, as on the device's completion thread.
 */
final class RdmaHarness implements AutoCloseable {
    static final String NQN = "nqn.2024-01.dev.ferry:rdma";
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    static final int IO_IN_CAPSULE = 4096;
    static final int CC_ENABLE = 1 | 6 << 16 | 4 << 20;

    final ExecutorService loop = Executors.newSingleThreadExecutor();
    final CompletionQueue completionQueue = new CompletionQueue(loop, 64);
    final UnitRegistry registry = new UnitRegistry();
    final LogicalUnit unit;
    final NvmeTarget target;

    RdmaHarness() throws Exception {
        Portal portal = new Portal("127.0.0.1", 4420);
        FabricsTransport transport = new FabricsTransport() {
            public int transportType() { return 1; }
            public int ioInCapsuleDataSize() { return IO_IN_CAPSULE; }
            public int maxSglDescriptors() { return 1; }
            public byte[] transportSpecificAddress() { return new byte[256]; }
            public List<FabricsPort> ports() {
                return List.of(new FabricsPort(1, portal, new InetSocketAddress("127.0.0.1", 4420)));
            }
        };
        unit = new LogicalUnit(new RamBackendFactory().open(new BackstoreConfig("disk0", "ram", "1M", null, 512,
                null, false, null, null, null)), 1);
        unit.start();
        registry.replace(Map.of("disk0", unit), List.of(new Export(NQN, "nvme", null, List.of(portal),
                new TreeMap<>(Map.of(1L, unit)), Set.of(HOST), false)));
        target = new NvmeTarget(registry, transport);
        target.start();
    }

    /** A queue pair under test with its fake connection. */
    final class Qp {
        final FakeRdmaConnection fake = new FakeRdmaConnection();
        final RdmaQueuePair qp = new RdmaQueuePair(target, fake, loop, completionQueue,
                new InetSocketAddress("127.0.0.1", 4420), IO_IN_CAPSULE);

        boolean connectRequest(int qid, int hrqsize, int hsqsize) throws Exception {
            byte[] pd = new RdmaCmConnectPrivateData(0, qid, hrqsize, hsqsize, 0xFFFF).encode();
            return on(() -> qp.connectRequest(pd));
        }

        void established() throws Exception {
            on(() -> {
                qp.established();
                return null;
            });
        }

        /** The host SENDs a capsule: it lands in the next posted receive. */
        void capsule(ByteBuffer sqe, byte[] inCapsuleData) throws Exception {
            FakeRdmaConnection.Receive r = fake.nextReceive();
            r.buffer().writeBytes(sqe.array());
            if (inCapsuleData != null) {
                r.buffer().writeBytes(inCapsuleData);
            }
            int length = r.buffer().readableBytes();
            complete(r.done(), WorkCompletion.SUCCESS, length);
        }

        void complete(WorkCompletion done, int status, int length) throws Exception {
            on(() -> {
                done.completed(status, length);
                return null;
            });
        }

        /** Completes a posted READ with the host's data. */
        void hostReads(FakeRdmaConnection.Posted read, byte[] data) throws Exception {
            read.buffer().setBytes(0, data, 0, read.length());
            complete(read.done(), WorkCompletion.SUCCESS, read.length());
        }

        /** Takes the next SEND, checks it is one, completes it and returns the CQE fields. */
        Cqe16 response() throws Exception {
            FakeRdmaConnection.Posted send = fake.nextSend();
            if (send.op() != FakeRdmaConnection.Op.SEND) {
                throw new AssertionError("expected a SEND, got " + send.op());
            }
            Cqe16 cqe = Cqe16.of(send.buffer(), send.invalidate(), send.key());
            complete(send.done(), WorkCompletion.SUCCESS, 0);
            return cqe;
        }

        /** Every posted work request flushes, as after the QP entered the error state. */
        void flushAll() throws Exception {
            FakeRdmaConnection.Receive r;
            while ((r = fake.receives.poll()) != null) {
                complete(r.done(), WorkCompletion.WR_FLUSH_ERR, 0);
            }
            FakeRdmaConnection.Posted p;
            while ((p = fake.sends.poll()) != null) {
                complete(p.done(), WorkCompletion.WR_FLUSH_ERR, 0);
            }
        }

        RdmaQueueState state() throws Exception {
            return on(qp::state);
        }

        /** Connects as the admin queue of a new controller (Connect data by RDMA READ) and enables it. */
        int connectAdmin() throws Exception {
            connectRequest(0, 32, 31);
            established();
            capsule(keyed(connect(0, 31), 0x1000, 1024, 0x77, true), null);
            hostReads(fake.nextSend(), connectData(0xFFFF));
            Cqe16 c = response();
            if (c.status() != 0) {
                throw new AssertionError("connect failed: " + Integer.toHexString(c.status()));
            }
            capsule(keyed(propertySet(0x14, CC_ENABLE), 0, 0, 0, false), null);
            response();
            return (int) (c.result() & 0xFFFF);
        }
    }

    /** The 16-byte completion as the host would read it from the SEND. */
    record Cqe16(long result, int cid, int status, boolean invalidated, int key) {
        static Cqe16 of(ByteBuf b, boolean invalidated, int key) {
            return new Cqe16(b.getLongLE(0), b.getUnsignedShortLE(12), Cqe.status(b), invalidated, key);
        }
    }

    <T> T on(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    static ByteBuffer sqe(int opcode, long nsid, int cid) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) opcode).put(1, (byte) 0x40).putShort(2, (short) cid).putInt(4, (int) nsid);
        return b;
    }

    static ByteBuffer keyed(ByteBuffer sqe, long address, int length, int key, boolean invalidate) {
        ByteBuf view = Unpooled.wrappedBuffer(sqe.array());
        new KeyedSglDescriptor(address, length, key, invalidate).write(view, 24);
        return sqe;
    }

    static ByteBuffer inCapsule(ByteBuffer sqe, long offset, long length) {
        new InCapsuleSglDescriptor(offset, length).write(Unpooled.wrappedBuffer(sqe.array()), 24);
        return sqe;
    }

    static ByteBuffer connect(int qid, int sqsize) {
        ByteBuffer b = sqe(0x7F, 0, 1);
        b.put(4, (byte) 0x01).putShort(42, (short) qid).putShort(44, (short) sqsize);
        return b;
    }

    static byte[] connectData(int cntlid) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, 0x0102030405060708L).putShort(16, (short) cntlid);
        b.put(256, NQN.getBytes(StandardCharsets.UTF_8)).put(512, HOST.getBytes(StandardCharsets.UTF_8));
        return b.array();
    }

    static ByteBuffer propertySet(int offset, int value) {
        ByteBuffer b = sqe(0x7F, 0, 2);
        b.put(4, (byte) 0x00).putInt(44, offset).putLong(48, value & 0xFFFFFFFFL);
        return b;
    }

    static ByteBuffer propertyGet(int cid, int offset) {
        ByteBuffer b = sqe(0x7F, 0, cid);
        b.put(4, (byte) 0x04).putInt(44, offset);
        return keyed(b, 0, 0, 0, false);
    }

    /** NVM Read/Write of one 512-byte block at {@code lba}. */
    static ByteBuffer readWrite(int opcode, int cid, long lba) {
        ByteBuffer b = sqe(opcode, 1, cid);
        b.putLong(40, lba).putInt(48, 0);
        return b;
    }

    @Override
    public void close() throws Exception {
        target.close();
        loop.shutdown();
        loop.awaitTermination(5, TimeUnit.SECONDS);
        unit.close();
    }
}
