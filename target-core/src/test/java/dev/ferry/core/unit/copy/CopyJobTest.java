package dev.ferry.core.unit.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitIdentity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The copy engine over real units: data arrives where it should (within a unit, between units, overlapping both
 * ways, over many chunks), a range beyond capacity copies nothing of itself, a failing read or an abort stops the
 * copy with what was copied counted, admissions bound how many run, and every request and buffer is given back.
 */
class CopyJobTest {
    private static final int BS = 512;
    private final LinkedBlockingQueue<Runnable> loop = new LinkedBlockingQueue<>();
    private final CompletionQueue queue = new CompletionQueue(loop::add, 16);
    private final List<LogicalUnit> units = new ArrayList<>();

    /** A disk in memory; {@link #failReadAt} makes a READ covering that block fail with a medium error there. */
    static class MemoryDisk implements Backend {
        final byte[] bytes;
        final BackendDescriptor descriptor;
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger fuaWrites = new AtomicInteger();
        volatile long failReadAt = -1;

        MemoryDisk(String name, int blocks, int maxTransferBlocks, boolean readOnly, boolean volatileCache) {
            bytes = new byte[blocks * BS];
            descriptor = new BackendDescriptor(name, blocks, BS, BS, 0, maxTransferBlocks, false, 1, false, false,
                    volatileCache, volatileCache, false, readOnly, UnitIdentity.derive(name, "MEMORY"));
        }

        @Override public BackendDescriptor describe() { return descriptor; }
        @Override public void close() { }

        @Override
        public void execute(BlockRequest r) {
            int from = (int) r.lba() * BS;
            int len = r.blocks() * BS;
            if (r.op() == BlockOp.READ) {
                if (failReadAt >= r.lba() && failReadAt < r.lba() + r.blocks()) {
                    r.completeFailedAt(CompletionStatus.MEDIUM_ERROR_READ, failReadAt);
                    return;
                }
                r.data().writeBytes(bytes, from, len);
            } else if (r.op() == BlockOp.WRITE) {
                r.data().getBytes(r.data().readerIndex(), bytes, from, len);
                writes.incrementAndGet();
                if (r.fua()) {
                    fuaWrites.incrementAndGet();
                }
            }
            r.complete(CompletionStatus.GOOD);
        }
    }

    private LogicalUnit unit(MemoryDisk d) {
        LogicalUnit u = new LogicalUnit(d, 1);
        u.start();
        units.add(u);
        return u;
    }

    private static MemoryDisk disk(String name, int blocks) {
        MemoryDisk d = new MemoryDisk(name, blocks, 64, false, true);
        for (int i = 0; i < d.bytes.length; i++) {
            d.bytes[i] = (byte) (i / BS * 7 + i);
        }
        return d;
    }

    @AfterEach
    void close() throws InterruptedException {
        for (LogicalUnit u : units) {
            u.close();
        }
    }

    private CopyJob run(List<CopyRange> ranges, BooleanSupplier aborted, CopyAdmission... admissions) {
        int inFlightBefore = queue.inFlight();
        CopyJob[] done = new CopyJob[1];
        CopyJob job = CopyJob.start(queue, ranges, aborted, j -> done[0] = j, admissions);
        assertNotNull(job, "admitted");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (done[0] == null) {
                Runnable r = loop.poll(10, TimeUnit.MILLISECONDS);
                if (r != null) {
                    r.run();
                }
                if (System.nanoTime() > deadline) {
                    fail("copy did not finish");
                }
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals(inFlightBefore, queue.inFlight(), "every request released");
        for (CopyAdmission a : admissions) {
            assertEquals(0, a.running(), "admission left");
        }
        return done[0];
    }

    private CopyJob run(CopyRange... ranges) {
        return run(List.of(ranges), () -> false, new CopyAdmission(1));
    }

    private static byte[] blocks(MemoryDisk d, long lba, long n) {
        return Arrays.copyOfRange(d.bytes, (int) lba * BS, (int) (lba + n) * BS);
    }

    @Test
    void copiesWithinAndBetweenUnitsInChunks() {
        MemoryDisk a = disk("a", 1000);
        MemoryDisk b = disk("b", 1000);
        LogicalUnit ua = unit(a);
        LogicalUnit ub = unit(b);
        byte[] first = blocks(a, 0, 300);
        byte[] second = blocks(a, 500, 10);
        CopyJob job = run(new CopyRange(ua, 0, ub, 600, 300), new CopyRange(ua, 500, ua, 900, 10));
        assertEquals(CompletionStatus.GOOD, job.status());
        assertEquals(310, job.blocksCopied());
        assertEquals(2, job.rangesDone());
        assertArrayEquals(first, blocks(b, 600, 300));
        assertArrayEquals(second, blocks(a, 900, 10));
        assertEquals(5, b.writes.get(), "300 blocks in chunks of the unit's largest request, 64");
    }

    @Test
    void overlappingRangesCopyAsIfReadFirst() {
        MemoryDisk a = disk("a", 1000);
        LogicalUnit ua = unit(a);
        byte[] source = blocks(a, 100, 200);
        assertEquals(CompletionStatus.GOOD, run(new CopyRange(ua, 100, ua, 150, 200)).status());
        assertArrayEquals(source, blocks(a, 150, 200), "destination after the source: copied back to front");

        source = blocks(a, 400, 200);
        assertEquals(CompletionStatus.GOOD, run(new CopyRange(ua, 400, ua, 350, 200)).status());
        assertArrayEquals(source, blocks(a, 350, 200), "destination before the source: front to back");
    }

    @Test
    void aRangeBeyondCapacityCopiesNothingOfItself() {
        MemoryDisk a = disk("a", 1000);
        MemoryDisk b = disk("b", 100);
        LogicalUnit ua = unit(a);
        LogicalUnit ub = unit(b);
        byte[] before = b.bytes.clone();
        CopyJob job = run(new CopyRange(ua, 0, ub, 0, 10), new CopyRange(ua, 0, ub, 95, 10));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, job.status());
        assertFalse(job.failedOnSource());
        assertEquals(1, job.rangesDone(), "failed in the second range");
        assertEquals(10, job.blocksCopied());
        assertArrayEquals(Arrays.copyOfRange(before, 10 * BS, before.length),
                Arrays.copyOfRange(b.bytes, 10 * BS, b.bytes.length), "nothing of the failed range written");

        job = run(new CopyRange(ua, 995, ub, 0, 10));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, job.status());
        assertTrue(job.failedOnSource());
        assertEquals(0, job.blocksCopied());
        job = run(new CopyRange(ua, Long.MAX_VALUE, ub, 0, 10));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, job.status());
    }

    @Test
    void aFailedReadStopsTheCopyAndSaysHowFarItGot() {
        MemoryDisk a = disk("a", 1000);
        MemoryDisk b = disk("b", 1000);
        a.failReadAt = 150;
        CopyJob job = run(new CopyRange(unit(a), 0, unit(b), 0, 300));
        assertEquals(CompletionStatus.MEDIUM_ERROR_READ, job.status());
        assertTrue(job.failedOnSource());
        assertEquals(150, job.failedLba());
        assertEquals(128, job.blocksCopied(), "two whole chunks of 64 before the failing one");
        assertEquals(0, job.rangesDone());
    }

    @Test
    void aWriteProtectedDestinationIsRefusedByTheUnit() {
        MemoryDisk a = disk("a", 100);
        MemoryDisk ro = new MemoryDisk("ro", 100, 64, true, false);
        CopyJob job = run(new CopyRange(unit(a), 0, unit(ro), 0, 10));
        assertEquals(CompletionStatus.WRITE_PROTECTED, job.status());
        assertEquals(0, ro.writes.get());
    }

    @Test
    void writesAreDurableWhenTheDestinationsWriteCacheIsOff() {
        MemoryDisk a = disk("a", 100);
        MemoryDisk off = disk("off", 100);
        MemoryDisk on = disk("on", 100);
        LogicalUnit ua = unit(a);
        LogicalUnit uoff = unit(off);
        uoff.writeCache().setEnabled(false, null);
        assertEquals(CompletionStatus.GOOD, run(new CopyRange(ua, 0, uoff, 0, 100)).status());
        assertEquals(2, off.writes.get());
        assertEquals(2, off.fuaWrites.get(), "write cache off: every chunk FUA");
        assertEquals(CompletionStatus.GOOD, run(new CopyRange(ua, 0, unit(on), 0, 100)).status());
        assertEquals(0, on.fuaWrites.get(), "write cache on: plain writes");
        boolean[] done = new boolean[1];
        CopyJob.start(queue, List.of(new CopyRange(ua, 0, units.get(units.size() - 1), 0, 100)), true, () -> false,
                j -> done[0] = true, new CopyAdmission(1));
        while (!done[0]) {
            try {
                Runnable r = loop.poll(10, TimeUnit.SECONDS);
                if (r == null) {
                    fail("copy did not finish");
                }
                r.run();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(2, on.fuaWrites.get(), "FUA asked for: every chunk FUA");
    }

    @Test
    void anAbortStopsAfterTheChunkInFlight() {
        MemoryDisk a = disk("a", 1000);
        MemoryDisk b = disk("b", 1000);
        AtomicInteger asked = new AtomicInteger();
        // aborted from the third question on: two before the first read, and before its write
        CopyJob job = run(List.of(new CopyRange(unit(a), 0, unit(b), 0, 500)), () -> asked.incrementAndGet() > 3,
                new CopyAdmission(1));
        assertEquals(CompletionStatus.ABORTED, job.status());
        assertEquals(64, job.blocksCopied(), "the first chunk finished, nothing after it");
        assertEquals(1, b.writes.get());
    }

    @Test
    void aFullRingSlowsTheCopyDownInsteadOfEndingItHalfDone() {
        // Every other request finds the unit's ring full (BUSY, as LogicalUnit.submit answers then). An overlapping
        // copy must still come out as if the source was read first: ended half done, a host's retry of it could
        // not be undone.
        MemoryDisk a = new MemoryDisk("busy", 1000, 64, false, true) {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public void execute(BlockRequest r) {
                if (calls.incrementAndGet() % 2 == 0) { // every other request, reads and writes alike
                    r.complete(CompletionStatus.BUSY);
                    return;
                }
                super.execute(r);
            }
        };
        for (int i = 0; i < a.bytes.length; i++) {
            a.bytes[i] = (byte) (i / BS * 7 + i);
        }
        byte[] expected = blocks(a, 0, 300);
        LogicalUnit ua = unit(a);
        CopyJob job = run(new CopyRange(ua, 0, ua, 100, 300));
        assertEquals(CompletionStatus.GOOD, job.status());
        assertEquals(300, job.blocksCopied());
        assertArrayEquals(expected, blocks(a, 100, 300));
    }

    @Test
    void eachChunkIsItsOwnLoopTaskWithABackendRunOnTheLoop() throws Exception {
        MemoryDisk a = new MemoryDisk("onloop", 1000, 64, false, true) {
            @Override
            public boolean nonBlocking() {
                return true;
            }
        };
        LogicalUnit ua = unit(a);
        try (dev.ferry.core.ring.CountingEventLoop loop = new dev.ferry.core.ring.CountingEventLoop("copy")) {
            CompletionQueue onLoop = new CompletionQueue(loop, 4);
            java.util.concurrent.CompletableFuture<CopyJob> done = new java.util.concurrent.CompletableFuture<>();
            int[] before = new int[1];
            loop.run(() -> {
                before[0] = loop.executes();
                CopyJob.start(onLoop, List.of(new CopyRange(ua, 0, ua, 500, 320)), () -> false, done::complete,
                        new CopyAdmission(1));
            });
            CopyJob job = done.get(10, TimeUnit.SECONDS);
            assertEquals(CompletionStatus.GOOD, job.status());
            assertTrue(loop.executes() - before[0] >= 5, "5 chunks: the loop was handed each next chunk as a task,"
                    + " so other connections' work runs between them; executes: " + (loop.executes() - before[0]));
        }
    }

    @Test
    void aCopyHoldsOneBlockRequestFromStartToEnd() {
        MemoryDisk a = disk("a", 1000);
        LogicalUnit ua = unit(a);
        List<BlockRequest> taken = new ArrayList<>();
        for (BlockRequest r = queue.acquire(); r != null; r = queue.acquire()) {
            taken.add(r);
        }
        CopyAdmission admission = new CopyAdmission(1);
        assertNull(CopyJob.start(queue, List.of(new CopyRange(ua, 0, ua, 500, 1)), () -> false, j -> { },
                admission), "no request free: refused before anything is copied");
        assertEquals(0, admission.running());
        taken.remove(taken.size() - 1).release();
        // one free request is enough for a copy of many chunks: none is taken mid-way
        CopyJob job = run(List.of(new CopyRange(ua, 0, ua, 500, 300)), () -> false, admission);
        assertEquals(CompletionStatus.GOOD, job.status());
        assertEquals(300, job.blocksCopied());
        taken.forEach(BlockRequest::release);
    }

    @Test
    void admissionsBoundCopiesRunningAtOnce() {
        MemoryDisk a = disk("a", 1000);
        LogicalUnit ua = unit(a);
        CopyAdmission perTarget = new CopyAdmission(1);
        CopyAdmission global = new CopyAdmission(2);
        List<CopyJob> finished = new ArrayList<>();
        CopyJob first = CopyJob.start(queue, List.of(new CopyRange(ua, 0, ua, 500, 100)), () -> false,
                finished::add, perTarget, global);
        assertNotNull(first);
        assertNull(CopyJob.start(queue, List.of(new CopyRange(ua, 0, ua, 600, 1)), () -> false, finished::add,
                perTarget, global), "the target's one slot is taken");
        assertEquals(1, global.running(), "a refused copy gives back what it took");
        CopyAdmission other = new CopyAdmission(1);
        assertNotNull(CopyJob.start(queue, List.of(new CopyRange(ua, 0, ua, 700, 1)), () -> false, finished::add,
                other, global));
        assertNull(CopyJob.start(queue, List.of(new CopyRange(ua, 0, ua, 800, 1)), () -> false, finished::add,
                new CopyAdmission(1), global), "the global bound is reached");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (finished.size() < 2 && System.nanoTime() < deadline) {
            Runnable r;
            try {
                r = loop.poll(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (r != null) {
                r.run();
            }
        }
        assertEquals(2, finished.size());
        assertEquals(0, global.running());
        assertEquals(0, perTarget.running());
    }
}
