package dev.ferry.frontend.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.backend.ram.RamBackend;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A SCSI target over real core units backed by RAM disks, driven like a transport does: the test thread is the
 * "event loop" that runs execute and drains the completion queue's hand-offs.
 */
final class TargetHarness implements AutoCloseable {
    static final ScsiPort PORT = new ScsiPort("iqn.2026-01.dev.ferry:disk", "iqn.2026-01.dev.ferry:disk,t,0x0001",
            1, 0, ScsiPort.PROTOCOL_ISCSI);
    static final ItNexus A = nexus("iqn.1994-05.com.redhat:a", 0x23D000000001L);
    static final ItNexus B = nexus("iqn.1994-05.com.redhat:b", 0x23D000000002L);

    final LinkedBlockingQueue<Runnable> loop = new LinkedBlockingQueue<>();
    final CompletionQueue queue;
    /** Replaced by {@link #newTarget}; the units stay. */
    ScsiTarget target;
    final List<LogicalUnit> units = new ArrayList<>();
    private final Backend[] backends;
    final List<BackendDescriptor> descriptors = new ArrayList<>();

    TargetHarness(BackendDescriptor... lus) {
        this(64, lus);
    }

    TargetHarness(int queueCapacity, BackendDescriptor... lus) {
        this(queueCapacity, java.util.Arrays.stream(lus).map(RamBackend::new).toArray(Backend[]::new));
    }

    TargetHarness(int queueCapacity, Backend... backends) {
        queue = new CompletionQueue(loop::add, queueCapacity);
        this.backends = backends;
        for (Backend b : backends) {
            descriptors.add(b.describe());
        }
        open(null);
    }

    /** Units over the backends, keeping APTPL reservations in {@code reservationDirectory}, and a target over them. */
    private void open(java.nio.file.Path reservationDirectory) {
        TreeMap<Long, LogicalUnit> map = new TreeMap<>();
        for (int i = 0; i < backends.length; i++) {
            LogicalUnit u = new LogicalUnit(new KeptOpen(backends[i]), 1, reservationDirectory);
            u.start();
            units.add(u);
            map.put((long) i, u);
        }
        target = new ScsiTarget(new Export("iqn.2026-01.dev.ferry:disk", "iscsi", null, List.of(), map, Set.of(), true));
    }

    /**
     * New units over the same backends and a new target over them, as after a restart, with the units keeping APTPL
     * reservations in {@code reservationDirectory} (and loading them now).
     */
    void newTarget(java.nio.file.Path reservationDirectory) {
        // Closed now, not kept to the end: a fuzz target makes hundreds of thousands of them. Their backends live on
        // in the new units (KeptOpen).
        for (LogicalUnit u : units) {
            try {
                u.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        units.clear();
        open(reservationDirectory);
    }

    /** A backend that a unit's close leaves open: the harness's units come and go over the same backends. */
    private record KeptOpen(Backend backend) implements Backend {
        @Override public BackendDescriptor describe() { return backend.describe(); }
        @Override public void execute(dev.ferry.core.request.BlockRequest request) { backend.execute(request); }
        @Override public boolean nonBlocking() { return backend.nonBlocking(); }
        @Override public int workers() { return backend.workers(); }
        @Override public BackendDescriptor resize(long capacityBytes) throws dev.ferry.core.backend.BackendException {
            return backend.resize(capacityBytes);
        }
        @Override public BackendDescriptor rereadCapacity() throws dev.ferry.core.backend.BackendException {
            return backend.rereadCapacity();
        }
        @Override public void close() { }
    }

    static ItNexus nexus(String initiator, long isid) {
        return new ItNexus(initiator + ",i,0x" + Long.toHexString(isid), initiator, isid, PORT);
    }

    /** A RAM disk description: 512-byte blocks, thin, with a volatile write cache enabled, read-write. */
    static BackendDescriptor disk(String name, long blocks) {
        return disk(name, blocks, 512, false);
    }

    static BackendDescriptor disk(String name, long blocks, int blockSize, boolean readOnly) {
        return new BackendDescriptor(name, blocks, blockSize, 4096, 0, 2048, true, 1, true, true, true, true,
                false, readOnly, UnitIdentity.derive(name, "RAM DISK"));
    }

    /** A plain disk: no discard, no write-zeroes, no volatile cache, rotational. */
    static BackendDescriptor plainDisk(String name, long blocks) {
        return new BackendDescriptor(name, blocks, 512, 512, 0, 2048, false, 1, false, false, false, false,
                true, false, UnitIdentity.derive(name, "PLAIN DISK"));
    }

    // ---- running commands ----

    Response run(int... cdb) {
        return run(A, 0, cdb(cdb), 65536, null);
    }

    Response run(ItNexus nexus, long lun, byte[] cdb, int expected, byte[] dataOut) {
        TestTask t = new TestTask(Luns.encode(lun), cdb, expected,
                dataOut == null ? null : Unpooled.wrappedBuffer(dataOut), nexus);
        return run(t);
    }

    Response runLunField(long lunField, byte[] cdb, int expected) {
        return run(new TestTask(lunField, cdb, expected, null, A));
    }

    Response run(TestTask t) {
        int before = queue.inFlight();
        target.execute(t, queue);
        Response r = await(t);
        assertEquals(before, queue.inFlight(), "every request must be released");
        return r;
    }

    /** Runs the loop until the task (already handed to the target) is answered. */
    Response await(TestTask t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (t.response == null) {
                Runnable r = loop.poll(10, TimeUnit.MILLISECONDS);
                if (r != null) {
                    r.run();
                }
                if (System.nanoTime() > deadline) {
                    fail("command did not complete");
                }
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals(1, t.completions, "complete must be called exactly once");
        if (t.dataOut != null) {
            assertEquals(1, t.dataOut.refCnt(), "the command set must not keep or free the transport's Data-Out");
            t.dataOut.release();
        }
        return Response.of(t.response);
    }

    static byte[] cdb(int... bytes) {
        byte[] b = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    @Override
    public void close() throws Exception {
        for (LogicalUnit u : units) {
            u.close();
        }
        for (Backend b : backends) {
            b.close();
        }
    }

    // ---- CDB builders ----

    static byte[] read10(long lba, int blocks) {
        return rw10(0x28, lba, blocks, 0);
    }

    static byte[] write10(long lba, int blocks) {
        return rw10(0x2A, lba, blocks, 0);
    }

    static byte[] rw10(int op, long lba, int blocks, int flags) {
        return cdb(op, flags, (int) (lba >>> 24), (int) (lba >>> 16), (int) (lba >>> 8), (int) lba, 0,
                blocks >>> 8, blocks, 0);
    }

    static byte[] rw16(int op, long lba, long blocks, int flags) {
        byte[] c = cdb(op, flags);
        for (int i = 0; i < 8; i++) {
            c[2 + i] = (byte) (lba >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            c[10 + i] = (byte) (blocks >>> (24 - 8 * i));
        }
        return c;
    }

    static byte[] pattern(int bytes, int seed) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (i * 31 + seed * 7 + (i >>> 9));
        }
        return b;
    }

    /** A task as a transport would hand it over. */
    static final class TestTask implements ScsiTask {
        final long lun;
        final byte[] cdb;
        final int expected;
        final ByteBuf dataOut;
        final ItNexus nexus;
        volatile ScsiResponse response;
        int completions;
        boolean aborted;

        TestTask(long lun, byte[] cdb, int expected, ByteBuf dataOut, ItNexus nexus) {
            this.lun = lun;
            this.cdb = cdb;
            this.expected = expected;
            this.dataOut = dataOut;
            this.nexus = nexus;
        }

        @Override public long lun() { return lun; }
        @Override public byte[] cdb() { return cdb; }
        @Override public int expectedTransferLength() { return expected; }
        @Override public ByteBuf dataOut() { return dataOut; }
        @Override public TaskAttribute attribute() { return TaskAttribute.SIMPLE; }
        @Override public ItNexus nexus() { return nexus; }
        @Override public boolean aborted() { return aborted; }

        @Override
        public void complete(ScsiResponse r) {
            completions++;
            // the command set reuses its response object once this returns
            response = new ScsiResponse(r.status(), r.sense(), r.dataIn(), r.residual());
        }
    }

    /** A response with its Data-In copied out (and the buffer released, as the transport would). */
    record Response(int status, byte[] sense, byte[] data, int residual) {
        static Response of(ScsiResponse r) {
            byte[] data = new byte[0];
            if (r.dataIn() != null) {
                data = new byte[r.dataIn().readableBytes()];
                r.dataIn().getBytes(r.dataIn().readerIndex(), data);
                assertEquals(1, r.dataIn().refCnt());
                r.dataIn().release();
            }
            return new Response(r.status(), r.sense(), data, r.residual());
        }

        int senseKey() {
            assertNotNull(sense, "no sense data");
            return sense[2] & 0x0F;
        }

        int asc() {
            return sense[12] & 0xFF;
        }

        int ascq() {
            return sense[13] & 0xFF;
        }

        long information() {
            return ((sense[3] & 0xFFL) << 24) | ((sense[4] & 0xFF) << 16) | ((sense[5] & 0xFF) << 8) | (sense[6] & 0xFF);
        }

        Response assertGood() {
            assertEquals(ScsiResponse.GOOD, status, () -> "expected GOOD, got status " + status
                    + (sense != null ? String.format(" sense %x/%02x/%02x", senseKey(), asc(), ascq()) : ""));
            return this;
        }

        Response assertCheck(int key, int asc, int ascq) {
            assertEquals(ScsiResponse.CHECK_CONDITION, status, "status");
            assertEquals(key, senseKey(), "sense key");
            assertEquals(asc, asc(), "ASC");
            assertEquals(ascq, ascq(), "ASCQ");
            return this;
        }
    }
}
