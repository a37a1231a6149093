package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/**
 * The leak probe the connection-cut test relies on finds a buffer dropped without release, and only then. Netty
 * also logs the deliberate leak ("LEAK: ByteBuf.release() was not called"): that ERROR is expected.
 */
class BufferLeaksTest {

    @Test
    void aDroppedBufferIsReportedAndAReleasedOneIsNot() throws InterruptedException {
        try (BufferLeaks leaks = new BufferLeaks()) {
            ByteBufAllocator.DEFAULT.directBuffer(64).release();
            assertEquals(0, leaks.reports().size());
            dropWithoutRelease();
            assertFalse(leaks.reports().isEmpty(), "the dropped buffer was not reported");
        }
    }

    private static void dropWithoutRelease() {
        ByteBufAllocator.DEFAULT.directBuffer(64).writeInt(1);
    }
}
