package dev.ferry.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoBuffersTest {
    @Test
    void everyBufferStartsOnAFourKibBoundary() {
        List<ByteBuf> held = new ArrayList<>();
        try {
            // Sizes that Netty's default pool would pack next to each other at 16-byte offsets.
            for (int size : new int[] {512, 4096, 512, 65536, 1000, 8192, 262144, 4096 * 3}) {
                ByteBuf b = IoBuffers.allocate(size);
                held.add(b);
                assertEquals(size, b.capacity());
                assertEquals(size, b.maxCapacity(), "data buffers never grow");
                assertTrue(b.isDirect());
                assertTrue(b.hasMemoryAddress(), "JDK 17 gives Netty direct memory addresses");
                assertEquals(0, b.memoryAddress() % IoBuffers.ALIGNMENT, "size " + size);
            }
        } finally {
            held.forEach(ByteBuf::release);
        }
    }
}
