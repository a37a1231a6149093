package dev.ferry.frontend.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.ram.RamBackend;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.request.RequestCompletion;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.ReservationType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bytes the SCSI command set allocates per steady-state 4 KiB READ / WRITE / VERIFY / SYNCHRONIZE CACHE, measured
 * with the thread's allocation counter. Everything runs on the test thread, which plays the event loop: the RAM
 * backend runs where it is submitted ({@link Backend#nonBlocking}) and the completion queue's hand-off is a plain
 * deque this thread drains. What the core and the backend allocate for the same block requests is measured the
 * same way without the command set and subtracted, so the budget is this module's alone.
 */
class SteadyStateAllocationTest {
    /** Goal zero; the slack absorbs counter granularity, not a per-command object (the smallest is 16 bytes). */
    static final double BUDGET_BYTES_PER_COMMAND = 4;
    static final int WARMUP = 50_000;
    static final int MEASURED = 100_000;
    static final int BLOCK = 512;
    static final int BLOCKS = 8; // 4 KiB
    static final int LBAS = 64;
    static final long KEY = 0x1234;  // command starts spread over 64 * 4 KiB, all written during warm-up

    private final ArrayDeque<Runnable> loop = new ArrayDeque<>();
    private final CompletionQueue queue = new CompletionQueue(loop::add, 64);
    private final LogicalUnit unit;
    private final ScsiTarget target;
    private final Task task = new Task();
    private final byte[] expected = TargetHarness.pattern(BLOCKS * BLOCK, 5);
    private final byte[] got = new byte[BLOCKS * BLOCK];

    SteadyStateAllocationTest() {
        BackendDescriptor d = TargetHarness.disk("alloc", 1 << 16);
        unit = new LogicalUnit(new RunHere(new RamBackend(d)), 1);
        unit.start();
        TreeMap<Long, LogicalUnit> units = new TreeMap<>();
        units.put(0L, unit);
        target = new ScsiTarget(new Export("iqn.2026-01.dev.ferry:alloc", "iscsi", null, List.of(), units,
                Set.of(), true));
    }

    @AfterEach
    void close() throws Exception {
        unit.close();
    }

    @Test
    void readWriteVerifyAndSyncAllocateNothingInTheCommandSet() throws Throwable {
        onLoopThread(false);
    }

    /** The reservation check runs for every command then; the holder's commands pass it without allocating. */
    @Test
    void noMoreUnderAPersistentReservation() throws Throwable {
        onLoopThread(true);
    }

    /**
     * On a {@link FastThreadLocalThread}, as on an event loop: Netty recycles its buffer objects per thread there
     * (and its thread-locals are an indexed lookup).
     */
    private void onLoopThread(boolean reserved) throws Throwable {
        Throwable[] failure = new Throwable[1];
        Thread loopThread = new FastThreadLocalThread(() -> {
            try {
                measure(reserved);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "alloc-test-loop");
        loopThread.start();
        loopThread.join();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private void measure(boolean reserved) {
        task.dataOut = IoBuffers.allocate(BLOCKS * BLOCK).writeBytes(expected);
        for (int slot = 0; slot < LBAS; slot++) { // every block read later holds the pattern
            rw10(task.cdb, 0x2A, (long) slot * BLOCKS);
            execute(BLOCKS * BLOCK, task.dataOut);
        }
        if (reserved) { // REGISTER, then RESERVE with type EXCLUSIVE ACCESS (SPC-4 6.16)
            persistentReserveOut(PrOutCommand.REGISTER, 0, 0, KEY);
            persistentReserveOut(PrOutCommand.RESERVE, ReservationType.EXCLUSIVE_ACCESS.code, KEY, 0);
            assertTrue(unit.reservations().state().reservation() != null);
        }
        run(2_000); // at PARANOID leak detection: every buffer the commands take is given back
        assertEquals(1, task.dataOut.refCnt(), "the command set gives the Data-Out back");
        task.dataOut.release();
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        // Tracking records allocate, also on buffers allocated while it was on: measure with buffers made without.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        task.dataOut = IoBuffers.allocate(BLOCKS * BLOCK).writeBytes(expected);
        double scsi;
        double core;
        int dataOutRefs;
        try {
            run(WARMUP);
            baseline(WARMUP);
            long a = allocated();
            run(MEASURED);
            long b = allocated();
            baseline(MEASURED);
            long c = allocated();
            scsi = (double) (b - a) / MEASURED;
            core = (double) (c - b) / MEASURED;
            dataOutRefs = task.dataOut.refCnt();
        } finally {
            ResourceLeakDetector.setLevel(level);
            task.dataOut.release();
        }
        System.out.printf("bytes allocated per command%s: %.2f through ScsiTarget, %.2f by the core and RAM backend"
                + " alone, %.2f by the SCSI command set%n", reserved ? " (reservation held)" : "", scsi, core,
                scsi - core);
        assertEquals(0, queue.inFlight(), "every block request is released");
        assertEquals(1, dataOutRefs, "the command set gives the Data-Out back");
        assertTrue(scsi - core <= BUDGET_BYTES_PER_COMMAND, String.format(
                "the SCSI command set allocates %.2f bytes per command (budget %.0f)", scsi - core,
                BUDGET_BYTES_PER_COMMAND));
    }

    /** Cycles READ(10), WRITE(10), READ(16), WRITE(16), VERIFY(10), SYNCHRONIZE CACHE(10) through the target. */
    private void run(int commands) {
        for (int i = 0; i < commands; i++) {
            long lba = (long) (i % LBAS) * BLOCKS;
            byte[] cdb = task.cdb;
            java.util.Arrays.fill(cdb, (byte) 0);
            int expectedLength = BLOCKS * BLOCK;
            switch (i % 6) {
                case 0 -> rw10(cdb, 0x28, lba);
                case 1 -> rw10(cdb, 0x2A, lba);
                case 2 -> rw16(cdb, 0x88, lba);
                case 3 -> rw16(cdb, 0x8A, lba);
                case 4 -> {
                    rw10(cdb, 0x2F, lba);           // BYTCHK 00b: medium verification, no Data-Out
                    expectedLength = 0;
                }
                default -> {
                    rw10(cdb, 0x35, lba);
                    expectedLength = 0;
                }
            }
            execute(expectedLength, i % 6 == 1 || i % 6 == 3 ? task.dataOut : null);
            if (i % 6 == 0 || i % 6 == 2) {
                assertEquals(BLOCKS * BLOCK, task.dataInBytes, "Data-In length");
                assertArrayEquals(expected, got, "read data");
            }
        }
    }

    private void persistentReserveOut(int serviceAction, int type, long key, long serviceActionKey) {
        byte[] cdb = task.cdb;
        java.util.Arrays.fill(cdb, (byte) 0);
        byte[] list = PrCommands.basicList(key, serviceActionKey, 0);
        System.arraycopy(PrCommands.proutCdb(serviceAction, type, list.length), 0, cdb, 0, 10);
        ByteBuf out = Unpooled.wrappedBuffer(list);
        execute(list.length, out);
        out.release();
    }

    private void execute(int expectedLength, ByteBuf dataOut) {
        task.out = dataOut;
        task.expected = expectedLength;
        task.completions = 0;
        target.execute(task, queue);
        drain();
        assertEquals(1, task.completions, "one completion per command");
        assertEquals(ScsiResponse.GOOD, task.status, "status");
        assertEquals(0, task.residual, "residual");
    }

    /** The same block requests straight to the unit: what the core and backend allocate without the command set. */
    private void baseline(int requests) {
        Done done = new Done();
        for (int i = 0; i < requests; i++) {
            long lba = (long) (i % LBAS) * BLOCKS;
            BlockRequest r = queue.acquire();
            switch (i % 6) {
                case 0, 2 -> r.set(BlockOp.READ, lba, BLOCKS, IoBuffers.allocate(BLOCKS * BLOCK), done, null);
                case 1, 3 -> r.set(BlockOp.WRITE, lba, BLOCKS, task.dataOut.retainedSlice(), done, null);
                case 4 -> r.set(BlockOp.VERIFY, lba, BLOCKS, null, done, null);
                default -> r.set(BlockOp.FLUSH, lba, BLOCKS, null, done, null);
            }
            unit.submit(r);
            drain();
            assertEquals(CompletionStatus.GOOD, done.status);
        }
    }

    private void drain() {
        Runnable r;
        while ((r = loop.poll()) != null) {
            r.run();
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void rw10(byte[] cdb, int op, long lba) {
        cdb[0] = (byte) op;
        Cdb.put32(cdb, 2, lba);
        Cdb.put16(cdb, 7, BLOCKS);
    }

    private static void rw16(byte[] cdb, int op, long lba) {
        cdb[0] = (byte) op;
        Cdb.put64(cdb, 2, lba);
        Cdb.put32(cdb, 10, BLOCKS);
    }

    /** One task object reused for every command, as a transport with pooled tasks would hand them over. */
    private final class Task implements ScsiTask {
        final byte[] cdb = new byte[16];
        final ItNexus nexus = TargetHarness.A;
        /** The pattern every WRITE sends. */
        ByteBuf dataOut;
        /** This command's Data-Out. */
        ByteBuf out;
        int expected;
        int completions;
        int status;
        int residual;
        int dataInBytes;

        @Override public long lun() { return 0; }
        @Override public byte[] cdb() { return cdb; }
        @Override public int expectedTransferLength() { return expected; }
        @Override public ByteBuf dataOut() { return out; }
        @Override public TaskAttribute attribute() { return TaskAttribute.SIMPLE; }
        @Override public ItNexus nexus() { return nexus; }
        @Override public boolean aborted() { return false; }

        @Override
        public void complete(ScsiResponse r) {
            completions++;
            status = r.status();
            residual = r.residual();
            assertNull(r.sense());
            ByteBuf in = r.dataIn();
            dataInBytes = in == null ? 0 : in.readableBytes();
            if (in != null) {
                in.getBytes(in.readerIndex(), got);
                in.release();
            }
        }
    }

    private static final class Done implements RequestCompletion {
        CompletionStatus status;

        @Override
        public void completed(BlockRequest r) {
            status = r.status();
            r.release();
        }
    }

    /** The RAM backend run on the submitting thread, as the core runs a non-blocking backend. */
    private record RunHere(RamBackend ram) implements Backend {
        @Override public BackendDescriptor describe() { return ram.describe(); }
        @Override public void execute(BlockRequest r) { ram.execute(r); }
        @Override public boolean nonBlocking() { return true; }
        @Override public void close() { ram.close(); }
    }
}
