package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Closing a unit whose backend call never returns ends by its deadline and does not close the backend under the
 * worker still inside it (closing an io_uring or a file under a running call is a use-after-free).
 */
class LogicalUnitCloseTest {
    @Test
    void aWorkerStuckInTheBackendDoesNotKeepCloseWaitingNorGetItsBackendClosed() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger closes = new AtomicInteger();
        LogicalUnit unit = new LogicalUnit(new Backend() {
            @Override
            public BackendDescriptor describe() {
                return new BackendDescriptor("stuck", 100, 512, 512, 0, 128, false, 1, false, false, false, false,
                        false, false, UnitIdentity.derive("stuck", "TEST"));
            }

            @Override
            public void execute(BlockRequest r) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                r.complete(CompletionStatus.GOOD);
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        }, 1);
        unit.start();
        try {
            BlockRequest r = new CompletionQueue(Runnable::run, 1).acquire();
            r.set(BlockOp.READ, 0, 1, Unpooled.buffer(512), BlockRequest::release, null);
            unit.submit(r);
            assertTrue(entered.await(60, TimeUnit.SECONDS));
            // The safety net is far beyond the unit's own deadline; what is asserted is that close returns at all.
            assertTimeoutPreemptively(Duration.ofSeconds(120), unit::close);
            assertEquals(0, closes.get(), "the backend was closed under a worker still inside it");
        } finally {
            release.countDown();
        }
    }
}
