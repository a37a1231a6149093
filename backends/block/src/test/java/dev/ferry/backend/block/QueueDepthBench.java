package dev.ferry.backend.block;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.unit.LogicalUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Not a test: the measurement behind {@link BackstoreConfig#DEFAULT_QUEUE_DEPTH}. Random 4 KiB reads and writes
 * through a LogicalUnit on a loop device over a file in /dev/shm, offered {@value #OFFERED} at a time (a busy
 * initiator), with the backstore's queueDepth from 1 to 128 and the default workers; prints IOPS per setting.
 *
 * <p>Run as root: {@code java -Dio.netty.allocator.directMemoryCacheAlignment=4096 -cp <test classpath>
 * dev.ferry.backend.block.QueueDepthBench [seconds]}; add {@code -Dferry.block.io_uring=false} for the blocking
 * path.
 */
public final class QueueDepthBench {
    private static final long SIZE = 256L << 20;
    private static final int OFFERED = 256;

    private QueueDepthBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path file = Files.createTempFile(Paths.get("/dev/shm"), "ferry-qd-bench", ".img");
        try (LoopDevice loop = LoopDevice.attach(file, SIZE)) {
            for (BlockOp op : new BlockOp[] {BlockOp.READ, BlockOp.WRITE}) {
                for (int depth : new int[] {1, 2, 4, 8, 16, 32, 64, 128}) {
                    BackstoreConfig c = new BackstoreConfig("bench", "block", null, loop.node.toString(), null, null,
                            null, null, null, depth, null);
                    BlockBackend backend = new BlockBackendFactory().open(c, BlockBackendFactory.IO_URING);
                    LogicalUnit unit = new LogicalUnit(backend, backend.workers());
                    unit.start();
                    try {
                        long ops = BlockBackendBench.run(unit, op, OFFERED, seconds);
                        System.out.printf("%-5s queueDepth=%3d workers=%d: %,8d IOPS (peak in flight %d)%n", op,
                                depth, backend.workers(), ops / seconds, backend.peakInFlight());
                    } finally {
                        unit.close();
                    }
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
