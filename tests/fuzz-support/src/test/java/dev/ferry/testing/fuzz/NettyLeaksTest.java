package dev.ferry.testing.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check the fuzz targets rely on can fail: a buffer dropped without release is reported. */
class NettyLeaksTest {

    @Test
    void aDroppedBufferFailsTheCheck() {
        NettyLeaks.watch();
        leak();
        assertThrows(AssertionError.class, () -> {
            // The detector reports only after a collection, on a later allocation: give it a few chances.
            for (int i = 0; i < 20; i++) {
                NettyLeaks.collectAndAssertNone();
            }
        });
    }

    private static void leak() {
        PooledByteBufAllocator.DEFAULT.heapBuffer(64).writeLong(1);
    }
}
