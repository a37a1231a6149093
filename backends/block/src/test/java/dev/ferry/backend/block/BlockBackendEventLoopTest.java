package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The io_uring path on real Netty epoll event loops, as the frontends run it: each loop submits and reaps on its
 * own ring, a burst costs one io_uring_enter, and the ring's eventfd wakes an idle loop for its completions.
 */
class BlockBackendEventLoopTest {
    private static final long SIZE = 8 << 20;
    private static final int BLOCK = 4096;
    private static MultiThreadIoEventLoopGroup group;

    @TempDir
    Path dir;

    @BeforeAll
    static void loops() {
        assumeTrue(Epoll.isAvailable(), "SKIPPED: no native epoll here");
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One event loop and its completion queue, as a frontend keeps them. */
    private record Loop(IoEventLoop loop, CompletionQueue queue) {
        static Loop next() {
            IoEventLoop l = (IoEventLoop) group.next();
            return new Loop(l, new CompletionQueue(l, 1024));
        }

        /**
         * Submits {@code op} on {@code blocks} from this loop, all in one loop task (one iteration); each future
         * completes with whether the completion ran on this loop and succeeded.
         */
        List<CompletableFuture<Boolean>> burst(LogicalUnit unit, BlockOp op, long[] lbas, List<ByteBuf> buffers) {
            List<CompletableFuture<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < lbas.length; i++) {
                done.add(new CompletableFuture<>());
            }
            loop.execute(() -> {
                for (int i = 0; i < lbas.length; i++) {
                    CompletableFuture<Boolean> f = done.get(i);
                    BlockRequest r = queue.acquire();
                    r.set(op, lbas[i], BLOCK / 512, buffers.get(i), req -> {
                        f.complete(loop.inEventLoop() && req.status() == CompletionStatus.GOOD);
                        req.takeData();
                        req.release();
                    }, null);
                    unit.submit(r);
                }
            });
            return done;
        }
    }

    private static BlockBackend open(Path device, int queueDepth) throws Exception {
        BackstoreConfig c = new BackstoreConfig("evl", "block", null, device.toString(), null, null, null, null, null,
                queueDepth, null);
        BlockBackend backend = new BlockBackendFactory().open(c, true);
        assumeTrue(backend.nonBlocking(), "SKIPPED: io_uring unavailable here (kernel, seccomp or architecture)");
        return backend;
    }

    private static LogicalUnit start(BlockBackend backend) {
        LogicalUnit unit = new LogicalUnit(backend, backend.workers());
        unit.start();
        return unit;
    }

    @Test
    void manyRequestsFromTwoLoopsCompleteOnTheirOwnLoop() throws Exception {
        int perLoop = 200;
        int queueDepth = 4; // far below what the loops submit: requests wait for slots the other loop gives back
        try (LoopDevice device = LoopDevice.attach(dir.resolve("disk.img"), SIZE)) {
            BlockBackend backend = open(device.node, queueDepth);
            LogicalUnit unit = start(backend);
            try {
                Loop a = Loop.next();
                Loop b = Loop.next();
                assertTrue(a.loop() != b.loop(), "two distinct loops");
                long[] lbasA = lbas(0, perLoop);
                long[] lbasB = lbas(perLoop, perLoop);
                List<ByteBuf> outA = new ArrayList<>();
                List<ByteBuf> outB = new ArrayList<>();
                List<CompletableFuture<Boolean>> writes = new ArrayList<>();
                writes.addAll(a.burst(unit, BlockOp.WRITE, lbasA, patterns(lbasA)));
                writes.addAll(b.burst(unit, BlockOp.WRITE, lbasB, patterns(lbasB)));
                assertAllOnTheirLoop(writes);
                List<CompletableFuture<Boolean>> reads = new ArrayList<>();
                reads.addAll(a.burst(unit, BlockOp.READ, lbasB, buffers(perLoop, outA))); // each reads the other's
                reads.addAll(b.burst(unit, BlockOp.READ, lbasA, buffers(perLoop, outB)));
                assertAllOnTheirLoop(reads);
                for (int i = 0; i < perLoop; i++) {
                    assertArrayEquals(pattern(lbasB[i]), bytes(outA.get(i)), "loop a read block " + lbasB[i]);
                    assertArrayEquals(pattern(lbasA[i]), bytes(outB.get(i)), "loop b read block " + lbasA[i]);
                }
                assertEquals(4L * perLoop, backend.ringOps(), "every read and write went through a loop's ring");
                assertEquals(2, backend.rings(), "one ring per loop");
                assertEquals(2, backend.ringsWatchedOnLoop(), "the loops' epoll reaps: no hand-off thread");
                assertFalse(Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().startsWith("ferry-evl-uring")), "no completion thread exists");
                assertTrue(backend.peakInFlight() <= queueDepth, "peak " + backend.peakInFlight());
            } finally {
                unit.close();
            }
        }
    }

    @Test
    void aBurstOfRequestsCostsOneSubmitCall() throws Exception {
        int burst = 32;
        try (LoopDevice device = LoopDevice.attach(dir.resolve("disk.img"), SIZE)) {
            BlockBackend backend = open(device.node, 64);
            LogicalUnit unit = start(backend);
            try {
                Loop a = Loop.next();
                assertAllOnTheirLoop(a.burst(unit, BlockOp.READ, lbas(0, burst), buffers(burst, new ArrayList<>())));
                assertEquals(burst, backend.ringOps());
                assertEquals(1, backend.submitCalls(), burst + " requests decoded in one loop iteration");

                // One at a time, each after the previous completed: nothing to batch, one call each.
                for (int i = 0; i < 5; i++) {
                    assertAllOnTheirLoop(a.burst(unit, BlockOp.READ, lbas(i, 1), buffers(1, new ArrayList<>())));
                }
                assertEquals(burst + 5, backend.ringOps());
                assertEquals(1 + 5, backend.submitCalls());
            } finally {
                unit.close();
            }
        }
    }

    /**
     * The steady state allocates nothing per request on the loop: 4 KiB reads kept 32 deep from one loop, each
     * completion resubmitting into the same buffer, measured with the JVM's per-thread allocation counter after a
     * warm-up. The budget of one byte per request covers what Netty's task queue allocates in chunks.
     */
    @Test
    void steadyReadsAllocateNothingPerRequestOnTheLoop() throws Exception {
        int depth = 32;
        int warmUp = 50_000;
        int measured = 100_000;
        long budgetPerRequest = 1; // measured: 0.01-0.03 (Netty task-queue chunks)
        try (LoopDevice device = LoopDevice.attach(dir.resolve("disk.img"), SIZE)) {
            BlockBackend backend = open(device.node, depth);
            LogicalUnit unit = start(backend);
            try {
                Loop a = Loop.next();
                long[] loopThread = new long[1];
                a.loop().submit(() -> loopThread[0] = Thread.currentThread().getId()).sync();
                com.sun.management.ThreadMXBean threads =
                        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                Resubmitter reads = new Resubmitter(unit, a.queue(), depth, warmUp + measured, warmUp,
                        () -> threads.getThreadAllocatedBytes(loopThread[0]));
                a.loop().execute(reads::start);
                assertTrue(reads.done.await(120, TimeUnit.SECONDS), "all reads completed");
                assertEquals(0, reads.failed.get(), "every read GOOD");
                long bytes = reads.allocatedAtEnd - reads.allocatedAtMark;
                assertTrue(bytes <= budgetPerRequest * measured, bytes / (double) measured
                        + " bytes allocated per request on the loop");
            } finally {
                unit.close();
            }
        }
    }

    /** Keeps {@code depth} reads in flight from one loop until {@code total} completed or stopped; no allocation. */
    private static final class Resubmitter implements dev.ferry.core.request.RequestCompletion {
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        final AtomicInteger failed = new AtomicInteger();
        private final LogicalUnit unit;
        private final CompletionQueue queue;
        private final int depth;
        private final int total;
        private final int mark;
        private final java.util.function.LongSupplier allocated;
        private final ByteBuf[] buffers;
        private int started;
        private int completed;
        /** {@link #completed}, readable from other threads. */
        volatile int completedSoFar;
        private volatile boolean stop;
        volatile long allocatedAtMark;
        volatile long allocatedAtEnd;

        Resubmitter(LogicalUnit unit, CompletionQueue queue, int depth, int total, int mark,
                java.util.function.LongSupplier allocated) {
            this.unit = unit;
            this.queue = queue;
            this.depth = depth;
            this.total = total;
            this.mark = mark;
            this.allocated = allocated;
            this.buffers = new ByteBuf[depth];
            for (int i = 0; i < depth; i++) {
                buffers[i] = aligned();
            }
        }

        void start() {
            for (int i = 0; i < depth; i++) {
                submit(i);
            }
        }

        private void submit(int slot) {
            ByteBuf b = buffers[slot].clear();
            long lba = (started++ * 7919L % (SIZE / BLOCK)) * (BLOCK / 512);
            unit.submit(queue.acquire().set(BlockOp.READ, lba, BLOCK / 512, b, this, buffers[slot]));
        }

        @Override
        public void completed(BlockRequest r) {
            if (r.status() != CompletionStatus.GOOD) {
                failed.incrementAndGet();
            }
            ByteBuf b = r.takeData();
            int slot = indexOf(b);
            r.release();
            completedSoFar = ++completed;
            if (completed == mark) {
                allocatedAtMark = allocated.getAsLong();
            }
            if (completed == total || (stop && completed == started)) {
                allocatedAtEnd = allocated.getAsLong();
                done.countDown();
            } else if (started < total && !stop) {
                submit(slot);
            }
        }

        /** Submits no more; {@link #done} opens when what is in flight completed. */
        void stop() {
            stop = true;
        }


        private int indexOf(ByteBuf b) {
            for (int i = 0; i < depth; i++) {
                if (buffers[i] == b) {
                    return i;
                }
            }
            throw new IllegalStateException("unknown buffer");
        }
    }

    /**
     * A loop that keeps far more reads waiting than the queue depth allows cannot starve another loop: while the
     * other loop's reads wait, every slot given back goes to the waiting loops in turn. The other loop stays busy
     * for a while after queuing its reads, so the slots handed to it wait for it: meanwhile the flood completes
     * only the few it had in flight or handed to itself before every slot went to the other loop (measured 4-18;
     * 3,103-24,413 when a loop took back each slot it gave back). Then the other loop's reads all complete.
     */
    @Test
    void aFloodingLoopCannotStarveAnother() throws Exception {
        int queueDepth = 2;
        int few = 20;
        try (LoopDevice device = LoopDevice.attach(dir.resolve("disk.img"), SIZE)) {
            BlockBackend backend = open(device.node, queueDepth);
            LogicalUnit unit = start(backend);
            try {
                Loop a = Loop.next();
                Loop b = Loop.next();
                Resubmitter flood = new Resubmitter(unit, a.queue(), 64, Integer.MAX_VALUE, 0, () -> 0);
                a.loop().submit(flood::start).sync(); // every slot busy, 62 reads waiting on loop a, until stopped
                int[] floodWhileBusy = new int[2];
                java.util.concurrent.CountDownLatch fewDone = new java.util.concurrent.CountDownLatch(few);
                AtomicInteger good = new AtomicInteger();
                b.loop().execute(() -> {
                    List<ByteBuf> out = buffers(few, new ArrayList<>());
                    for (int i = 0; i < few; i++) {
                        unit.submit(b.queue().acquire().set(BlockOp.READ, i * 8L, 8, out.get(i), r -> {
                            if (r.status() == CompletionStatus.GOOD) {
                                good.incrementAndGet();
                            }
                            r.takeData();
                            r.release();
                            fewDone.countDown();
                        }, null));
                    }
                    floodWhileBusy[0] = flood.completedSoFar;
                    try {
                        Thread.sleep(200); // loop b busy with other work, its reads waiting
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    floodWhileBusy[1] = flood.completedSoFar;
                });
                assertTrue(fewDone.await(60, TimeUnit.SECONDS), "loop b's reads completed");
                flood.stop();
                assertTrue(flood.done.await(60, TimeUnit.SECONDS), "the flood drained");
                assertEquals(few, good.get());
                int flooded = floodWhileBusy[1] - floodWhileBusy[0];
                assertTrue(flooded <= 100, "while loop b's reads waited, loop a completed " + flooded);
                assertTrue(backend.peakInFlight() <= queueDepth);
            } finally {
                unit.close();
            }
        }
    }

    /**
     * A write to blocks an earlier write from the same loop still holds cannot wait on the loop (only the loop
     * reaps the earlier one): it runs on a blocking thread, after the earlier one, and both complete.
     */
    @Test
    void anOverlappingWriteDoesNotWaitOnTheLoop() throws Exception {
        try (LoopDevice device = LoopDevice.attach(dir.resolve("disk.img"), SIZE)) {
            BlockBackend backend = open(device.node, 32);
            LogicalUnit unit = start(backend);
            try {
                Loop a = Loop.next();
                byte[] first = pattern(1);
                byte[] second = pattern(2);
                assertAllOnTheirLoop(a.burst(unit, BlockOp.WRITE, new long[] {8, 8},
                        List.of(aligned().writeBytes(first), aligned().writeBytes(second))));
                assertEquals(1, backend.ringOps(), "the second write found the blocks held and left the loop");
                List<ByteBuf> out = new ArrayList<>();
                assertAllOnTheirLoop(a.burst(unit, BlockOp.READ, new long[] {8}, buffers(1, out)));
                assertArrayEquals(second, bytes(out.get(0)), "the later write landed last");
            } finally {
                unit.close();
            }
        }
    }

    /**
     * A read from a pipe's read end completes only when the test writes into the pipe, long after the loop ran its
     * iteration (and its reap after submitting) and went idle in epoll_wait: only the ring's eventfd can wake it.
     */
    @Test
    void aCompletionWakesAnIdleLoop() throws Exception {
        assumeTrue(IoUring.available(), "SKIPPED: io_uring unavailable here");
        int[] pipe = new int[2];
        Pipes.pipe(pipe); // blocking ends: io_uring waits for data instead of failing with EAGAIN
        BackendDescriptor d = new BackendDescriptor("pipe", 8, 512, 512, 0, 8, false, 1, false, false, false, false,
                false, true, UnitIdentity.derive("pipe", "PIPE")); // read-only: close makes no fdatasync
        BlockBackend backend = new BlockBackend(d, pipe[0], false, false, 512, 1, 4, false, true);
        LogicalUnit unit = start(backend);
        try {
            Loop a = Loop.next();
            List<ByteBuf> out = new ArrayList<>();
            CompletableFuture<Boolean> read = a.burst(unit, BlockOp.READ, new long[] {0}, buffers(1, out)).get(0);
            // The submitting task queued the flush behind the first no-op; the second one runs after the flush.
            a.loop().submit(() -> { }).sync();
            a.loop().submit(() -> { }).sync();
            assertFalse(read.isDone(), "nothing to read yet");
            assertEquals(1, backend.submitCalls(), "the read is at the kernel; the loop has nothing left to do");

            byte[] data = new byte[BLOCK];
            new Random(7).nextBytes(data);
            try (com.sun.jna.Memory m = new com.sun.jna.Memory(BLOCK)) {
                m.write(0, data, 0, BLOCK);
                assertEquals(BLOCK, LibC.write(pipe[1], com.sun.jna.Pointer.nativeValue(m), BLOCK));
            }
            assertTrue(read.get(30, TimeUnit.SECONDS), "completed on its loop");
            assertArrayEquals(data, bytes(out.get(0)));
            assertEquals(1, backend.ringsWatchedOnLoop(), "woken by its own epoll, not by a hand-off thread");
        } finally {
            LibC.close(pipe[1]); // a read still waiting ends (end of file), so close need not wait for it
            unit.close();
        }
    }

    private static void assertAllOnTheirLoop(List<CompletableFuture<Boolean>> done) throws Exception {
        for (int i = 0; i < done.size(); i++) {
            assertTrue(done.get(i).get(30, TimeUnit.SECONDS), "request " + i + ": GOOD, completed on its own loop");
        }
    }

    private static long[] lbas(int first, int n) {
        long[] lbas = new long[n];
        for (int i = 0; i < n; i++) {
            lbas[i] = (first + i) * (long) (BLOCK / 512);
        }
        return lbas;
    }

    private static List<ByteBuf> patterns(long[] lbas) {
        List<ByteBuf> in = new ArrayList<>();
        for (long lba : lbas) {
            in.add(aligned().writeBytes(pattern(lba)));
        }
        return in;
    }

    private static List<ByteBuf> buffers(int n, List<ByteBuf> keep) {
        for (int i = 0; i < n; i++) {
            keep.add(aligned());
        }
        return keep;
    }

    private static byte[] pattern(long lba) {
        byte[] b = new byte[BLOCK];
        new Random(lba).nextBytes(b);
        return b;
    }

    private static ByteBuf aligned() {
        return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK)).clear();
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    /** pipe(2): Netty's FileDescriptor.pipe() makes non-blocking ends, on which io_uring would not wait. */
    private static final class Pipes {
        static {
            Native.register(Pipes.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int pipe(int[] fds);
    }
}
