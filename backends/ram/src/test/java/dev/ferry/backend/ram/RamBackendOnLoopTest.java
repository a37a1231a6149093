package dev.ferry.backend.ram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A RAM unit runs to completion on the Netty event loop that submits: the data has moved when submit returns, no
 * worker thread exists, and the completion comes afterwards on the same loop.
 */
class RamBackendOnLoopTest {
    private static final int BS = 512;

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final LogicalUnit unit = new LogicalUnit(new RamBackendFactory().open(new BackstoreConfig("ramloop",
            "ram", "1M", null, null, null, null, null, null, null)), 1);

    RamBackendOnLoopTest() {
        unit.start();
    }

    @AfterEach
    void close() throws InterruptedException {
        unit.close();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(60, TimeUnit.SECONDS);
    }

    @Test
    void aWriteAndAReadRunOnTheLoopAndCompleteAfterSubmitReturns() throws Exception {
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("ferry-ramloop")),
                "a RAM unit needs no worker thread");
        byte[] data = new byte[BS * 2];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        CompletionQueue cq = new CompletionQueue(loop, 4);
        CountDownLatch delivered = new CountDownLatch(2);
        List<String> seen = new ArrayList<>(); // on the loop only
        byte[][] readBack = new byte[1][];
        loop.submit(() -> {
            BlockRequest write = cq.acquire().set(BlockOp.WRITE, 5, 2, Unpooled.wrappedBuffer(data), r -> {
                seen.add("write " + r.status() + (loop.inEventLoop() ? " on the loop" : " elsewhere"));
                r.release();
                delivered.countDown();
            }, null);
            unit.submit(write);
            seen.add("write submitted");
            ByteBuf into = Unpooled.buffer(BS * 2);
            BlockRequest read = cq.acquire().set(BlockOp.READ, 5, 2, into, r -> {
                seen.add("read " + r.status() + (loop.inEventLoop() ? " on the loop" : " elsewhere"));
                r.release();
                delivered.countDown();
            }, null);
            unit.submit(read);
            // Run to completion: the bytes are in the buffer already, the callbacks have not run yet.
            readBack[0] = ByteBufUtil.getBytes(into);
            seen.add("read submitted");
        }).get(60, TimeUnit.SECONDS);
        assertTrue(delivered.await(60, TimeUnit.SECONDS));
        assertArrayEquals(data, readBack[0], "the read had its data when submit returned");
        loop.submit(() -> {
            assertEquals(List.of("write submitted", "read submitted", "write GOOD on the loop",
                    "read GOOD on the loop"), seen);
            assertEquals(0, cq.inFlight());
        }).get(60, TimeUnit.SECONDS);
        assertEquals(1, unit.statistics().reads());
        assertEquals(1, unit.statistics().writes());
    }
}
