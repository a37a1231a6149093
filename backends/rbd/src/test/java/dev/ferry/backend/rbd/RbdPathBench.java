package dev.ferry.backend.rbd;

import com.sun.management.OperatingSystemMXBean;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark, not a test: 4 KiB random reads and writes at QD1 and QD32 straight into a {@link LogicalUnit} over
 * {@link RbdBackend} (the path every frontend takes: {@link LogicalUnit#submit} from a Netty event loop, completions
 * back through its {@link CompletionQueue}), next to {@code rbd bench} on the same image of a single-node Ceph, in
 * interleaved rounds after one warm-up round that is not counted. The ratio is the backend path's own overhead over
 * librbd, without a network or a frontend. CPU is the JVM's (librbd's threads included) and rbd bench's process.
 *
 * <p>Run from backends/rbd as root, after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) dev.ferry.backend.rbd.RbdPathBench [ROUNDS]}
 * (cp.txt from {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}).
 * Settings (system properties): {@code count.qd1} (3000), {@code count.qd32} (20000) requests per run,
 * {@code image.mib} (256).
 */
public final class RbdPathBench {
    private static final int IO_BYTES = 4096;
    private static final int BS = 512;
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private record Case(String name, BlockOp op, int depth, int count) {
    }

    /** IOPS and CPU seconds of one run. */
    private record Run(double iops, double cpuSeconds, int count) {
        double microsPerIo() {
            return cpuSeconds * 1e6 / count;
        }
    }

    private RbdPathBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int qd1 = Integer.getInteger("count.qd1", 3000);
        int qd32 = Integer.getInteger("count.qd32", 20000);
        int mib = Integer.getInteger("image.mib", 256);
        List<Case> cases = List.of(new Case("randread-qd1", BlockOp.READ, 1, qd1),
                new Case("randread-qd32", BlockOp.READ, 32, qd32),
                new Case("randwrite-qd1", BlockOp.WRITE, 1, qd1 / 2),
                new Case("randwrite-qd32", BlockOp.WRITE, 32, qd32 / 2));
        try (CephCluster ceph = CephCluster.start(true)) {
            ceph.rbd("create", "rbd/bench", "--size", mib + "M");
            ceph.rbd("bench", "--io-type", "write", "--io-pattern", "seq", "--io-size", "4M", "--io-threads", "8",
                    "--io-total", mib + "M", "rbd/bench");
            BackstoreConfig config = new BackstoreConfig("bench", "rbd", null, ceph.path("bench", extra()), null, null, null,
                    null, null, null, null);
            RbdBackend backend = (RbdBackend) new RbdBackendFactory().open(config);
            LogicalUnit unit = new LogicalUnit(backend, backend.workers());
            unit.start();
            MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            EventLoop loop = group.next();
            CompletionQueue queue = new CompletionQueue(loop, 256);
            long blocks = backend.describe().capacityBlocks();
            double[][][] results = new double[cases.size()][rounds][4];
            try {
                for (int round = 0; round <= rounds; round++) {
                    String label = round == 0 ? "warm-up" : "round " + round;
                    for (int c = 0; c < cases.size(); c++) {
                        Case k = cases.get(c);
                        Run librbd = rbdBench(ceph, k);
                        java.util.Map<String, Long> before = threadTicks();
                        Run ferry = ferry(unit, queue, loop, blocks, k);
                        if (round == rounds && Boolean.getBoolean("threads")) {
                            printThreads(k, before, threadTicks());
                        }
                        System.err.printf(Locale.ROOT, "%-8s %-15s rbd bench %7.0f IOPS %4.0f us/IO | backend path"
                                + " %7.0f IOPS %4.0f us/IO | %.2fx%n", label, k.name, librbd.iops,
                                librbd.microsPerIo(), ferry.iops, ferry.microsPerIo(), ferry.iops / librbd.iops);
                        if (round > 0) {
                            results[c][round - 1] = new double[] {librbd.iops, ferry.iops, librbd.microsPerIo(),
                                    ferry.microsPerIo()};
                        }
                    }
                }
            } finally {
                unit.close();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
            System.out.printf(Locale.ROOT, "load average %s; medians of %d rounds, 4 KiB, %s%n", loadAverage(),
                    rounds, "CPU us per I/O of the process (JVM incl. librbd threads; rbd bench)");
            System.out.printf(Locale.ROOT, "%-15s | %9s | %9s | %5s | %9s | %9s%n", "test", "rbd bench", "backend",
                    "ratio", "rbd us/IO", "Fy us/IO");
            for (int c = 0; c < cases.size(); c++) {
                double r = median(results[c], 0);
                double f = median(results[c], 1);
                System.out.printf(Locale.ROOT, "%-15s | %9.0f | %9.0f | %5.2f | %9.0f | %9.0f%n", cases.get(c).name,
                        r, f, f / r, median(results[c], 2), median(results[c], 3));
            }
        }
    }

    /** {@code count} requests, {@code depth} of them in flight, submitted and completed on {@code loop}. */
    private static Run ferry(LogicalUnit unit, CompletionQueue queue, EventLoop loop, long blocks, Case k)
            throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        loop.execute(new Runnable() {
            int started;
            int completed;

            @Override
            public void run() {
                for (int i = 0; i < k.depth; i++) {
                    next();
                }
            }

            void next() {
                started++;
                BlockRequest r = queue.acquire();
                ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(IO_BYTES);
                if (k.op == BlockOp.WRITE) {
                    data.writerIndex(IO_BYTES);
                }
                long lba = ThreadLocalRandom.current().nextLong(blocks / (IO_BYTES / BS)) * (IO_BYTES / BS);
                r.set(k.op, lba, IO_BYTES / BS, data, this::completed, null);
                unit.submit(r);
            }

            void completed(BlockRequest r) {
                CompletionStatus status = r.status();
                ByteBuf data = r.takeData();
                r.release();
                if (data != null) {
                    data.release();
                }
                if (status != CompletionStatus.GOOD) {
                    done.completeExceptionally(new IllegalStateException(k.name + ": " + status));
                    return;
                }
                if (++completed == k.count) {
                    done.complete(null);
                } else if (started < k.count) {
                    next();
                }
            }
        });
        done.get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(k.count / seconds, (OS.getProcessCpuTime() - cpu0) / 1e9, k.count);
    }

    /** {@code rbd bench} on the same image; its CPU from the shell's {@code times}. */
    private static Run rbdBench(CephCluster ceph, Case k) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "\"$@\" && times", "bench", "rbd", "-c", ceph.conf,
                "bench", "--io-type", k.op == BlockOp.READ ? "read" : "write", "--io-pattern", "rand",
                "--io-size", Integer.toString(IO_BYTES), "--io-threads", Integer.toString(k.depth), "--io-total",
                Long.toString((long) k.count * IO_BYTES), "--rbd-cache=false", "rbd/bench"));
        String out = CephCluster.run(cmd, 600);
        double iops = -1;
        for (String line : out.split("\n")) {
            int at = line.indexOf("ops/sec: ");
            if (at >= 0) {
                iops = Double.parseDouble(line.substring(at + 9).trim().split("\\s+")[0]);
            }
        }
        String[] lines = out.strip().split("\n");
        String[] children = lines[lines.length - 1].trim().split("\\s+"); // "0m1.234s 0m0.456s"
        double cpu = seconds(children[0]) + seconds(children[1]);
        if (iops < 0) {
            throw new IllegalStateException("rbd bench gave no result: " + out);
        }
        return new Run(iops, cpu, k.count);
    }

    /** Ceph options for the backstore's path ({@code -Doptions=a=b,c=d}), to try librbd settings. */
    private static String[] extra() {
        String o = System.getProperty("options", "");
        return o.isEmpty() ? new String[0] : o.split(",");
    }

    /** CPU clock ticks (utime + stime) of this process's threads, summed by thread name. */
    private static java.util.Map<String, Long> threadTicks() throws java.io.IOException {
        java.util.Map<String, Long> ticks = new java.util.TreeMap<>();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+$", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return ticks;
    }

    private static void printThreads(Case k, java.util.Map<String, Long> before, java.util.Map<String, Long> after) {
        StringBuilder b = new StringBuilder("  threads, us/IO (" + k.name + "):");
        after.forEach((name, t) -> {
            long d = t - before.getOrDefault(name, 0L);
            if (d > 0) {
                b.append(String.format(Locale.ROOT, " %s=%.0f", name, d * 1e4 / k.count));
            }
        });
        System.err.println(b);
    }

    private static double seconds(String bashTime) {
        int m = bashTime.indexOf('m');
        return Integer.parseInt(bashTime.substring(0, m)) * 60
                + Double.parseDouble(bashTime.substring(m + 1, bashTime.length() - 1));
    }

    private static double median(double[][] rows, int column) {
        double[] v = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            v[i] = rows[i][column];
        }
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String loadAverage() throws java.io.IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    }
}
