package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core refuses out-of-range, short-buffer and write-protected requests, and any request to a closed unit,
 * before a backend sees them.
 */
class LogicalUnitChecksTest {
    private final List<BlockRequest> reachedBackend = new ArrayList<>();
    private LogicalUnit unit;

    private LogicalUnit unit(boolean readOnly) {
        return unit(readOnly, false);
    }

    private LogicalUnit unit(boolean readOnly, boolean reportsAllocation) {
        unit = TestBackend.startedUnit("t", readOnly, reportsAllocation, r -> {
            synchronized (reachedBackend) {
                reachedBackend.add(r);
            }
        });
        return unit;
    }

    @AfterEach
    void stop() throws InterruptedException {
        unit.close();
    }

    private CompletionStatus run(LogicalUnit u, BlockOp op, long lba, int blocks, int dataBytes) throws Exception {
        java.util.concurrent.CompletableFuture<CompletionStatus> result = new java.util.concurrent.CompletableFuture<>();
        CompletionQueue cq = new CompletionQueue(Runnable::run, 2);
        BlockRequest r = cq.acquire();
        r.set(op, lba, blocks, dataBytes < 0 ? null : Unpooled.buffer(dataBytes).writerIndex(op == BlockOp.READ ? 0 : dataBytes),
                req -> {
                    result.complete(req.status());
                    req.release();
                }, null);
        u.submit(r);
        return result.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void allocationStatusReachesOnlyABackendThatReportsIt() throws Exception {
        LogicalUnit plain = unit(false);
        assertEquals(CompletionStatus.UNSUPPORTED, run(plain, BlockOp.ALLOCATION_STATUS, 0, 100, 90));
        assertEquals(0, reachedBackend.size());
        plain.close();
        LogicalUnit u = unit(true, true); // read-only: a status query writes nothing
        assertEquals(CompletionStatus.GOOD, run(u, BlockOp.ALLOCATION_STATUS, 99, 1, 9));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, run(u, BlockOp.ALLOCATION_STATUS, 99, 2, 9));
        assertEquals(CompletionStatus.INVALID_FIELD, run(u, BlockOp.ALLOCATION_STATUS, 0, 0, 9));
        assertEquals(CompletionStatus.INVALID_FIELD, run(u, BlockOp.ALLOCATION_STATUS, 0, 1, -1));
        assertEquals(1, reachedBackend.size(), "only the valid request reached the backend");
    }

    @Test
    void rangeChecks() throws Exception {
        LogicalUnit u = unit(false);
        assertEquals(CompletionStatus.GOOD, run(u, BlockOp.WRITE, 99, 1, 512));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, run(u, BlockOp.WRITE, 100, 1, 512));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, run(u, BlockOp.READ, 99, 2, 1024));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, run(u, BlockOp.READ, Long.MAX_VALUE, 2, 1024));
        assertEquals(CompletionStatus.INVALID_FIELD, run(u, BlockOp.WRITE, 0, 2, 512));
        assertEquals(CompletionStatus.INVALID_FIELD, run(u, BlockOp.COMPARE_AND_WRITE, 0, 1, 512));
        assertEquals(CompletionStatus.GOOD, run(u, BlockOp.COMPARE_AND_WRITE, 0, 1, 1024));
        assertEquals(2, reachedBackend.size(), "only the valid requests reached the backend");
    }

    @Test
    void readOnlyRefusesWrites() throws Exception {
        LogicalUnit u = unit(true);
        assertEquals(CompletionStatus.WRITE_PROTECTED, run(u, BlockOp.WRITE, 0, 1, 512));
        assertEquals(CompletionStatus.WRITE_PROTECTED, run(u, BlockOp.WRITE_ZEROES, 0, 1, -1));
        assertEquals(CompletionStatus.GOOD, run(u, BlockOp.READ, 0, 1, 512));
    }

    @Test
    void closedUnitRefusesLateSubmits() throws Exception {
        LogicalUnit u = unit(false);
        assertEquals(CompletionStatus.GOOD, run(u, BlockOp.WRITE, 0, 1, 512));
        u.close();
        // A frontend that looked the unit up just before a reconfiguration removed it must still get an answer.
        assertEquals(CompletionStatus.UNIT_NOT_READY, run(u, BlockOp.READ, 0, 1, 512));
        assertEquals(1, reachedBackend.size(), "nothing reached the closed backend");
    }
}
