package dev.ferry.bench.nvmeload;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small NVMe/TCP load generator (there is no userspace one on Debian 12: no SPDK perf, no fio NVMe/TCP engine).
 * {@code prepare} writes the known {@link DataPattern} over the region; {@code read} runs random 4 KiB reads at a
 * queue depth for some seconds, checksums every block and prints IOPS and MiB/s. A queue holds at most
 * {@value #MAX_DEPTH_PER_QUEUE} commands (CAP.MQES allows 128 entries, one stays free), so deeper runs use more I/O
 * queues, one connection and thread each.
 *
 * <pre>java -jar nvme-load.jar prepare|read HOST:PORT NQN [--nsid N] [--region-mib M] [--qd Q] [--seconds S]</pre>
 */
public final class NvmeLoad {
    static final int MAX_DEPTH_PER_QUEUE = 64;
    /** Writes go at this depth: the pattern only has to land, quickly. */
    static final int PREPARE_DEPTH = 32;

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !(args[0].equals("prepare") || args[0].equals("read"))) {
            System.err.println("usage: nvme-load prepare|read HOST:PORT NQN [--nsid N] [--region-mib M] [--qd Q]"
                    + " [--seconds S]");
            System.exit(2);
        }
        boolean write = args[0].equals("prepare");
        int colon = args[1].lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(args[1].substring(0, colon),
                Integer.parseInt(args[1].substring(colon + 1)));
        String nqn = args[2];
        long nsid = 1;
        int regionMib = 256;
        int qd = 1;
        double seconds = 10;
        for (int i = 3; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--nsid" -> nsid = Long.parseLong(args[i + 1]);
                case "--region-mib" -> regionMib = Integer.parseInt(args[i + 1]);
                case "--qd" -> qd = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int depth = write ? PREPARE_DEPTH : qd;
        System.exit(run(target, nqn, nsid, new DataPattern(regionMib * (1 << 20) / DataPattern.IO_SIZE), depth,
                write, seconds) ? 0 : 1);
    }

    private static boolean run(InetSocketAddress target, String nqn, long nsid, DataPattern pattern, int depth,
                               boolean write, double seconds) throws Exception {
        int queues = (depth + MAX_DEPTH_PER_QUEUE - 1) / MAX_DEPTH_PER_QUEUE;
        List<QueueConnection> connections = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(queues);
        try (QueueConnection admin = new QueueConnection(target)) {
            int cntlid = admin.connectAdmin(nqn);
            int blockSize = admin.blockSize(nsid);
            for (int q = 1; q <= queues; q++) {
                QueueConnection io = new QueueConnection(target);
                connections.add(io);
                io.connectIo(nqn, cntlid, q, MAX_DEPTH_PER_QUEUE);
            }
            AtomicInteger writeCursor = new AtomicInteger();
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            List<Future<QueueWorker.Result>> results = new ArrayList<>();
            for (int q = 0; q < queues; q++) {
                int share = depth / queues + (q < depth % queues ? 1 : 0);
                results.add(threads.submit(new QueueWorker(connections.get(q), nsid, blockSize, pattern, share, write,
                        writeCursor, deadline, q + 1)));
            }
            long ios = 0;
            long mismatches = 0;
            long failures = 0;
            for (Future<QueueWorker.Result> f : results) {
                QueueWorker.Result r = f.get();
                ios += r.ios();
                mismatches += r.mismatches();
                failures += r.failures();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%s qd=%d queues=%d seconds=%.2f ios=%d iops=%.0f mib_s=%.1f"
                            + " mismatches=%d failures=%d%n", write ? "prepare" : "read", depth, queues, elapsed, ios,
                    ios / elapsed, ios * (double) DataPattern.IO_SIZE / (1 << 20) / elapsed, mismatches, failures);
            return mismatches == 0 && failures == 0;
        } finally {
            for (QueueConnection c : connections) {
                c.close();
            }
            threads.shutdownNow();
            threads.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
