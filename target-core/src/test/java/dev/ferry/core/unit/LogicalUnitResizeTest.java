package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A resize publishes the backend's new description: the core's range checks use the new end at once. */
class LogicalUnitResizeTest {
    private final ResizableBackend backend = new ResizableBackend();
    private final LogicalUnit unit = new LogicalUnit(backend, 1);

    LogicalUnitResizeTest() {
        unit.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        unit.close();
    }

    @Test
    void rangeChecksFollowTheNewEnd() throws Exception {
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(100));
        assertEquals(150 * 512L, unit.resize(150 * 512L).capacityBytes());
        assertEquals(150, unit.descriptor().capacityBlocks());
        assertEquals(CompletionStatus.GOOD, write(100));
        assertEquals(CompletionStatus.GOOD, write(149));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(150));

        unit.resize(50 * 512L + 100); // rounded down to whole blocks
        assertEquals(50, unit.descriptor().capacityBlocks());
        assertEquals(CompletionStatus.GOOD, write(49));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(50));
    }

    @Test
    void aBackendWithoutASizeRefusesAndKeepsItsCapacity() {
        LogicalUnit fixed = new LogicalUnit(new ResizableBackend() {
            @Override
            public BackendDescriptor resize(long capacityBytes) throws BackendException {
                throw new BackendException("no");
            }
        }, 1);
        assertThrows(BackendException.class, () -> fixed.resize(4096));
        assertEquals(100, fixed.descriptor().capacityBlocks());
        BackendException e = assertThrows(BackendException.class, fixed::rereadCapacity);
        assertEquals("backstore t cannot re-read its size live", e.getMessage());
    }

    private CompletionStatus write(long lba) throws Exception {
        CompletableFuture<CompletionStatus> result = new CompletableFuture<>();
        CompletionQueue cq = new CompletionQueue(Runnable::run, 2);
        BlockRequest r = cq.acquire();
        r.set(BlockOp.WRITE, lba, 1, Unpooled.buffer(512).writerIndex(512), req -> {
            result.complete(req.status());
            req.release();
        }, null);
        unit.submit(r);
        return result.get(5, TimeUnit.SECONDS);
    }

    /** 100 blocks of 512 bytes to begin with; resize takes any whole number of blocks. */
    static class ResizableBackend implements Backend {
        private volatile BackendDescriptor d = descriptor(100);

        static BackendDescriptor descriptor(long blocks) {
            return new BackendDescriptor("t", blocks, 512, 4096, 0, 128, true, 1, true, true, false, false, false,
                    false, UnitIdentity.derive("t", "TEST"));
        }

        @Override
        public BackendDescriptor describe() {
            return d;
        }

        @Override
        public BackendDescriptor resize(long capacityBytes) throws BackendException {
            d = descriptor(capacityBytes / 512);
            return d;
        }

        @Override
        public void execute(BlockRequest r) {
            r.complete(CompletionStatus.GOOD);
        }

        @Override
        public void close() {
        }
    }
}
