package dev.ferry.backend.block;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: the measurement behind {@link BlockBackendFactory#DEFAULT_WORKERS_IO_URING} and
 * {@link BlockBackendFactory#DEFAULT_WORKERS_BLOCKING}. First the floors (one thread doing pread back to back; the
 * core's rings with a backend that completes at once), then random 4 KiB reads and writes
 * at a fixed queue depth through a LogicalUnit, driven the way a frontend drives it (one event-loop thread that
 * resubmits on completion), for several worker counts, on a loop device over a file in /dev/shm.
 *
 * <p>Run as root: {@code java -Dio.netty.allocator.directMemoryCacheAlignment=4096 -cp <test classpath>
 * dev.ferry.backend.block.BlockBackendBench [seconds] [qd]}; the alignment makes pooled buffers eligible for
 * in-place (and io_uring) I/O, and {@code -Dferry.block.io_uring=false} measures the blocking path.
 */
public final class BlockBackendBench {
    private static final int IO = 4096;
    private static final long SIZE = 256L << 20;

    private BlockBackendBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Path file = Files.createTempFile(Paths.get("/dev/shm"), "ferry-bench", ".img");
        try (LoopDevice loop = LoopDevice.attach(file, SIZE)) {
            rawReads(loop.node, seconds);
            for (int workers : new int[] {1, 4}) {
                LogicalUnit unit = new LogicalUnit(new NullBackend(SIZE / 512), workers);
                unit.start();
                try {
                    System.out.printf("READ  core only (backend completes at once) workers=%d qd=%d: %,8d IOPS%n",
                            workers, depth, run(unit, BlockOp.READ, depth, seconds) / seconds);
                } finally {
                    unit.close();
                }
            }
            for (BlockOp op : new BlockOp[] {BlockOp.WRITE, BlockOp.READ}) {
                for (int workers : new int[] {1, 2, 4, 8}) {
                    BackstoreConfig c = new BackstoreConfig("bench", "block", null, loop.node.toString(), null, null,
                            null, null, workers, null);
                    LogicalUnit unit = new LogicalUnit(new BlockBackendFactory().open(c), workers);
                    unit.start();
                    try {
                        long ops = run(unit, op, depth, seconds);
                        System.out.printf("%-5s workers=%d qd=%d: %,8d IOPS  %6.1f MiB/s%n", op, workers, depth,
                                ops / seconds, ops * (double) IO / seconds / (1 << 20));
                    } finally {
                        unit.close();
                    }
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The floor: one thread calling pread(O_DIRECT) back to back, no core, no hand-offs (queue depth 1). */
    private static void rawReads(Path node, int seconds) {
        int fd = LibC.open(node.toString(), LibC.O_RDONLY | LibC.O_DIRECT);
        try (com.sun.jna.Memory m = new com.sun.jna.Memory(2 * IO)) {
            long address = com.sun.jna.Pointer.nativeValue(m.align(IO));
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long ops = 0;
            while (System.nanoTime() < end) {
                LibC.pread(fd, address, IO, ThreadLocalRandom.current().nextLong(SIZE / IO) * IO);
                ops++;
            }
            System.out.printf("READ  raw pread, 1 thread, qd=1: %,8d IOPS (%.1f us per read)%n", ops / seconds,
                    seconds * 1e6 / ops);
        } finally {
            LibC.close(fd);
        }
    }

    /** A backend that completes every request at once: what the core's rings and hand-offs cost by themselves. */
    private record NullBackend(long blocks) implements dev.ferry.core.backend.Backend {
        @Override
        public dev.ferry.core.backend.BackendDescriptor describe() {
            return new dev.ferry.core.backend.BackendDescriptor("null", blocks, 512, 512, 0, 2048, false, 1, false,
                    false, false, false, false, false, dev.ferry.core.unit.UnitIdentity.derive("null", "NULL"));
        }

        @Override
        public void execute(BlockRequest r) {
            r.data().writerIndex(r.data().writerIndex() + r.blocks() * 512);
            r.complete(dev.ferry.core.request.CompletionStatus.GOOD);
        }

        @Override
        public void close() {
        }
    }

    static long run(LogicalUnit unit, BlockOp op, int depth, int seconds) throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor();
        try {
            return run(unit, op, depth, seconds, loop);
        } finally {
            loop.shutdown();
        }
    }

    /** Keeps {@code depth} random 4 KiB requests in flight from {@code loop} for {@code seconds}; returns how many. */
    static long run(LogicalUnit unit, BlockOp op, int depth, int seconds, java.util.concurrent.Executor loop)
            throws Exception {
        CompletionQueue queue = new CompletionQueue(loop, depth);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong done = new AtomicLong();
        CountDownLatch drained = new CountDownLatch(depth);
        long blocks = SIZE / IO;
        Runnable[] submit = new Runnable[1];
        submit[0] = () -> {
            BlockRequest r = queue.acquire();
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(IO);
            if (op == BlockOp.WRITE) {
                buf.writerIndex(IO);
            }
            long lba = ThreadLocalRandom.current().nextLong(blocks) * (IO / 512);
            r.set(op, lba, IO / 512, buf, req -> {
                done.incrementAndGet();
                req.release();
                if (System.nanoTime() < end) {
                    submit[0].run();
                } else {
                    drained.countDown();
                }
            }, null);
            unit.submit(r);
        };
        for (int i = 0; i < depth; i++) {
            loop.execute(submit[0]);
        }
        drained.await();
        return done.get();
    }
}
