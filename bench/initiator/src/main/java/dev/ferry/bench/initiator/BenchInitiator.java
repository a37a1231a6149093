package dev.ferry.bench.initiator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client of bench/latency-table.sh and bench/session-rss.sh, the same for every target it is pointed at:
 *
 * <pre>
 * java -jar bench-initiator.jar latency URL read|write [--seconds S] [--warm-up S] [--region-mib M] [--sessions N]
 *     random 4 KiB at QD 1; prints "ios=N iops=I p50_us=X p99_us=Y mean_us=Z"; with N sessions (connections),
 *     each at QD 1 at once (N requests outstanding), ios and iops are their sum and the latencies the first one's
 * java -jar bench-initiator.jar hold URL COUNT
 *     opens COUNT sessions (iSCSI) or controllers with one I/O queue (NVMe/TCP), reads 4 KiB on each, prints
 *     "holding COUNT", then keeps them open until standard input ends
 * </pre>
 *
 * URL: {@code iscsi://HOST:PORT/IQN/LUN} or {@code nvme://HOST:PORT/NQN/NSID}.
 */
public final class BenchInitiator {
    private BenchInitiator() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("latency")) {
            latency(args);
        } else if (args.length == 3 && args[0].equals("hold")) {
            hold(args[1], Integer.parseInt(args[2]));
        } else {
            System.err.println("usage: bench-initiator latency URL read|write [--seconds S] [--warm-up S]"
                    + " [--region-mib M]\n       bench-initiator hold URL COUNT");
            System.exit(2);
        }
    }

    private static void latency(String[] args) throws IOException {
        double seconds = 10;
        double warmUp = 2;
        long regionMib = 64;
        int sessions = 1;
        for (int i = 3; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warm-up" -> warmUp = Double.parseDouble(args[i + 1]);
                case "--region-mib" -> regionMib = Long.parseLong(args[i + 1]);
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        boolean write = args[2].equals("write");
        List<BlockDevice> devices = new ArrayList<>();
        try {
            for (int i = 0; i < sessions; i++) {
                devices.add(BlockDevice.open(args[1], i + 1));
            }
            List<java.util.concurrent.CompletableFuture<Qd1Latency.Result>> runs = new ArrayList<>();
            for (BlockDevice device : devices) {
                long region = regionMib << 20;
                double w = warmUp;
                double s = seconds;
                runs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return Qd1Latency.run(device, write, region, w, s);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, runnable -> new Thread(runnable, "bench-session").start()));
            }
            long ios = 0;
            for (var run : runs) {
                ios += run.join().ios();
            }
            Qd1Latency.Result first = runs.get(0).join();
            System.out.printf(Locale.ROOT, "ios=%d iops=%.0f p50_us=%.1f p99_us=%.1f mean_us=%.1f%n", ios,
                    ios / first.seconds(), first.p50Micros(), first.p99Micros(), first.meanMicros());
        } finally {
            for (BlockDevice d : devices) {
                d.close();
            }
        }
    }

    private static void hold(String url, int count) throws IOException {
        List<BlockDevice> open = new ArrayList<>();
        try {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(Qd1Latency.IO_BYTES);
            for (int i = 0; i < count; i++) {
                BlockDevice d = BlockDevice.open(url, i + 1);
                open.add(d);
                d.read(0, buffer);
            }
            System.out.println("holding " + count);
            System.out.flush();
            while (System.in.read() >= 0) {
                // held until the caller closes our standard input
            }
        } finally {
            for (BlockDevice d : open) {
                try {
                    d.close();
                } catch (IOException e) {
                    System.err.println("closing: " + e.getMessage());
                }
            }
        }
    }
}
