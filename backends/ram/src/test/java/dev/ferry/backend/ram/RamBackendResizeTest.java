package dev.ferry.backend.ram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A RAM disk resized in place keeps its data; blocks past the old end read as zeroes, also after a shrink. */
class RamBackendResizeTest {
    private static final int BS = 512;
    /** Not a whole number of 64 KiB chunks, so the last chunk is partly outside the disk. */
    private static final long BLOCKS = 1000;

    private final RamBackend backend = new RamBackend(RamBackendFactory.describe(new BackstoreConfig("r", "ram",
            String.valueOf(BLOCKS * BS), null, null, null, null, null, null, null)));
    private final LogicalUnit unit = new LogicalUnit(backend, 1);

    RamBackendResizeTest() {
        unit.start();
    }

    @AfterEach
    void close() throws InterruptedException {
        unit.close();
    }

    @Test
    void growingKeepsTheDataAndServesTheNewEnd() throws Exception {
        byte[] data = random(BS * 10, 1);
        assertEquals(CompletionStatus.GOOD, write(BLOCKS - 10, data));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(BLOCKS, random(BS, 2)));

        assertEquals(3 * BLOCKS, unit.resize(3 * BLOCKS * BS).capacityBlocks());
        assertArrayEquals(data, read(BLOCKS - 10, 10));
        assertArrayEquals(new byte[BS * 10], read(BLOCKS, 10), "new blocks read as zeroes");
        byte[] atEnd = random(BS, 3);
        assertEquals(CompletionStatus.GOOD, write(3 * BLOCKS - 1, atEnd));
        assertArrayEquals(atEnd, read(3 * BLOCKS - 1, 1));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(3 * BLOCKS, atEnd));
    }

    @Test
    void blocksDroppedByAShrinkComeBackAsZeroes() throws Exception {
        byte[] data = random(BS * 20, 4);
        assertEquals(CompletionStatus.GOOD, write(BLOCKS - 20, data));
        unit.resize((BLOCKS - 10) * BS);
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(BLOCKS - 10, random(BS, 5)));
        unit.resize(BLOCKS * BS);
        assertArrayEquals(Arrays.copyOf(data, BS * 10), read(BLOCKS - 20, 10), "kept up to the smaller end");
        assertArrayEquals(new byte[BS * 10], read(BLOCKS - 10, 10), "gone past it");
    }

    @Test
    void aSizeWithoutAWholeBlockIsRefused() {
        assertThrows(BackendException.class, () -> unit.resize(BS - 1));
        assertEquals(BLOCKS, unit.descriptor().capacityBlocks());
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private CompletionStatus write(long lba, byte[] data) throws Exception {
        return run(BlockOp.WRITE, lba, data.length / BS, Unpooled.wrappedBuffer(data)).status;
    }

    private byte[] read(long lba, int blocks) throws Exception {
        Done d = run(BlockOp.READ, lba, blocks, Unpooled.buffer(blocks * BS));
        assertEquals(CompletionStatus.GOOD, d.status);
        return d.data;
    }

    private record Done(CompletionStatus status, byte[] data) {
    }

    /** The request gives its buffer back on release, so a read's bytes are copied out before. */
    private Done run(BlockOp op, long lba, int blocks, ByteBuf data) throws Exception {
        CompletableFuture<Done> result = new CompletableFuture<>();
        BlockRequest r = new CompletionQueue(Runnable::run, 2).acquire();
        r.set(op, lba, blocks, data, req -> {
            result.complete(new Done(req.status(), op == BlockOp.READ ? ByteBufUtil.getBytes(req.data()) : null));
            req.release();
        }, null);
        unit.submit(r);
        return result.get(5, TimeUnit.SECONDS);
    }
}
