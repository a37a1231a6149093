package dev.ferry.backend.block;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Not a test: random 4 KiB reads and writes at a fixed queue depth through a LogicalUnit on the block backend with
 * its defaults, driven from one Netty epoll event loop (as the frontends run) and from a plain single-thread
 * executor, on a loop device over a file in /dev/shm. Prints IOPS, the process's CPU time per request and, where
 * the backend counts them, io_uring_enter calls per request, after an unprinted warm-up of each.
 *
 * <p>Run as root: {@code java -Dio.netty.allocator.directMemoryCacheAlignment=4096 -cp <test classpath>
 * dev.ferry.backend.block.EventLoopBench [seconds] [qd] [rounds]}.
 */
public final class EventLoopBench {
    private static final long SIZE = 256L << 20;

    private EventLoopBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path file = Files.createTempFile(Paths.get("/dev/shm"), "ferry-bench", ".img");
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ExecutorService plain = Executors.newSingleThreadExecutor();
        try (LoopDevice loop = LoopDevice.attach(file, SIZE)) {
            for (BlockOp op : new BlockOp[] {BlockOp.READ, BlockOp.WRITE}) { // JIT warm-up, not printed
                measure(null, group.next(), loop, op, depth, 1);
                measure(null, plain, loop, op, depth, 1);
            }
            for (int round = 0; round < rounds; round++) {
                for (BlockOp op : new BlockOp[] {BlockOp.READ, BlockOp.WRITE}) {
                    measure("epoll loop", group.next(), loop, op, depth, seconds);
                    measure("plain executor", plain, loop, op, depth, seconds);
                }
            }
        } finally {
            plain.shutdown();
            group.shutdownGracefully().syncUninterruptibly();
            Files.deleteIfExists(file);
        }
    }

    private static void measure(String name, java.util.concurrent.Executor executor, LoopDevice loop, BlockOp op,
            int depth, int seconds) throws Exception {
        BackstoreConfig c = new BackstoreConfig("bench", "block", null, loop.node.toString(), null, null, null, null,
                null, null);
        Backend backend = new BlockBackendFactory().open(c);
        LogicalUnit unit = new LogicalUnit(backend, backend.workers());
        unit.start();
        try {
            long cpu = processCpuNanos();
            long ops = BlockBackendBench.run(unit, op, depth, seconds, executor);
            cpu = processCpuNanos() - cpu;
            if (name == null) {
                return;
            }
            System.out.printf("%-5s %-14s qd=%d: %,8d IOPS  %5.1f us CPU per request%s%n", op, name, depth,
                    ops / seconds, cpu / 1e3 / ops, submitCallsPerRequest(backend, ops));
        } finally {
            unit.close();
        }
    }

    /**
     * CPU time of the whole process (every thread, user and system): on a machine shared with other work the IOPS
     * follow the share of the cores the scheduler gives us, the CPU per request does much less.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Reflection, so the same bench also runs against builds without the counter. */
    private static String submitCallsPerRequest(Backend backend, long ops) {
        try {
            long calls = (long) backend.getClass().getMethod("submitCalls").invoke(backend);
            return String.format("  %.2f io_uring_enter per request", calls / (double) ops);
        } catch (ReflectiveOperationException e) {
            return "";
        }
    }
}
