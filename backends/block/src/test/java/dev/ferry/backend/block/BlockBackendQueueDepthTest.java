package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The backstore's queueDepth bounds the block backend's requests in flight, on io_uring and on blocking syscalls. */
class BlockBackendQueueDepthTest {
    private static final int QUEUE_DEPTH = 3;
    private static final int REQUESTS = 100;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "io_uring={0}")
    @ValueSource(booleans = {true, false})
    void manyMoreRequestsThanTheQueueDepthAllCompleteWithinIt(boolean ioUring) throws Exception {
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("disk.img"), 4 << 20)) {
            BackstoreConfig c = new BackstoreConfig("qd", "block", null, loop.node.toString(), null, null, null, null,
                    null, QUEUE_DEPTH, null);
            BlockBackend backend = new BlockBackendFactory().open(c, ioUring);
            assertTrue(backend.workers() <= QUEUE_DEPTH, "default workers capped by the queue depth");
            try (UnitDriver u = new UnitDriver(backend)) {
                List<CompletableFuture<UnitDriver.Result>> writes = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++) {
                    writes.add(u.start(BlockOp.WRITE, i * 8L, 8, aligned().writeBytes(block(i)), false));
                }
                for (var w : writes) {
                    assertEquals(CompletionStatus.GOOD, w.get(30, TimeUnit.SECONDS).status());
                }
                List<ByteBuf> outs = new ArrayList<>();
                List<CompletableFuture<UnitDriver.Result>> reads = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++) {
                    outs.add(aligned());
                    reads.add(u.start(BlockOp.READ, i * 8L, 8, outs.get(i), false));
                }
                for (int i = 0; i < REQUESTS; i++) {
                    assertEquals(CompletionStatus.GOOD, reads.get(i).get(30, TimeUnit.SECONDS).status());
                    byte[] got = new byte[4096];
                    outs.get(i).getBytes(0, got);
                    assertArrayEquals(block(i), got, "block " + i);
                }
            }
            assertTrue(backend.peakInFlight() >= 1 && backend.peakInFlight() <= QUEUE_DEPTH,
                    "peak in flight " + backend.peakInFlight() + " with queueDepth " + QUEUE_DEPTH);
        }
    }

    private static ByteBuf aligned() {
        return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(2 * 4096).alignedSlice(4096).limit(4096)).clear();
    }

    private static byte[] block(int i) {
        byte[] b = new byte[4096];
        new Random(i).nextBytes(b);
        return b;
    }
}
