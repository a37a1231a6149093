package dev.ferry.backend.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.AllocationExtents;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The RAM backend's allocation report through a core unit: chunk granularity with 4096-byte blocks (16 per chunk),
 * and the bound on the chunks one request looks at, on a sparse 64 GiB + 1 MiB disk whose chunk table alone is
 * allocated.
 */
class RamAllocationTest {

    @Test
    void chunksOfSixteen4kBlocks() throws Exception {
        try (Disk disk = new Disk(1000 * 4096L, 4096)) {
            disk.run(BlockOp.WRITE, 15, 2, Unpooled.wrappedBuffer(new byte[2 * 4096])); // last of chunk 0, first of 1
            assertEquals(List.of("32 mapped", "968 deallocated"), disk.allocation(0, 1000, 8));
            assertEquals(List.of("15 mapped", "968 deallocated"), disk.allocation(17, 983, 8));
            assertEquals(List.of("32 mapped"), disk.allocation(0, 1000, 1), "no room for a second extent");
            disk.run(BlockOp.WRITE_ZEROES, 16, 16, null); // chunk 1 zeroed whole: its memory goes
            assertEquals(List.of("16 mapped", "984 deallocated"), disk.allocation(0, 1000, 8));
        }
    }

    @Test
    void oneRequestLooksAtABoundedNumberOfChunks() throws Exception {
        long chunks = RamBackend.MAX_ALLOCATION_SCAN_CHUNKS + 16L;
        try (Disk disk = new Disk(chunks * RamBackend.CHUNK_SIZE, 512)) {
            long perChunk = RamBackend.CHUNK_SIZE / 512;
            int blocks = (int) (chunks * perChunk);
            assertEquals(List.of(RamBackend.MAX_ALLOCATION_SCAN_CHUNKS * perChunk + " deallocated"),
                    disk.allocation(0, blocks, 8), "stops early; the initiator asks again from there");
            long from = RamBackend.MAX_ALLOCATION_SCAN_CHUNKS * perChunk;
            assertEquals(List.of(16 * perChunk + " deallocated"), disk.allocation(from, (int) (blocks - from), 8));
        }
    }

    private static final class Disk implements AutoCloseable {
        private final LogicalUnit unit;

        Disk(long bytes, int blockSize) {
            unit = new LogicalUnit(new RamBackend(RamBackendFactory.describe(new BackstoreConfig("r", "ram",
                    String.valueOf(bytes), null, blockSize, null, null, null, null, null))), 1);
            unit.start();
        }

        List<String> allocation(long lba, int blocks, int maxExtents) throws Exception {
            int room = maxExtents * AllocationExtents.BYTES;
            ByteBuf out = Unpooled.buffer(room, room);
            run(BlockOp.ALLOCATION_STATUS, lba, blocks, out);
            List<String> extents = new ArrayList<>();
            for (int i = 0; i < AllocationExtents.count(out); i++) {
                extents.add(AllocationExtents.blocks(out, i) + (AllocationExtents.deallocated(out, i)
                        ? " deallocated" : " mapped"));
            }
            return extents;
        }

        /** Runs one request to GOOD; {@code data} stays the caller's. */
        void run(BlockOp op, long lba, int blocks, ByteBuf data) throws Exception {
            CompletableFuture<CompletionStatus> result = new CompletableFuture<>();
            BlockRequest r = new CompletionQueue(Runnable::run, 2).acquire();
            r.set(op, lba, blocks, data == null ? null : data.retain(), req -> {
                result.complete(req.status());
                req.release();
            }, null);
            unit.submit(r);
            assertEquals(CompletionStatus.GOOD, result.get(30, TimeUnit.SECONDS), op + " at " + lba);
        }

        @Override
        public void close() throws InterruptedException {
            unit.close();
        }
    }
}
