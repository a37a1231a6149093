package dev.ferry.frontend.nvmerdma.verbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class BufferSlabTest {

    @Test
    void buffersAreSlotsOfTheOneRegionAndComeBackOnRelease() {
        BufferSlab slab = new BufferSlab(4160, 2);
        assertEquals(8320, slab.region().capacity());
        ByteBuf a = slab.allocate(64);
        ByteBuf b = slab.allocate(4160);
        assertEquals(64, a.capacity());
        assertEquals(0, a.writerIndex());
        assertTrue(a.isDirect());
        assertEquals(0, slab.offsetOf(a));
        assertEquals(4160, slab.offsetOf(b));
        assertNull(slab.allocate(16));

        b.writeLong(0x0102030405060708L);
        assertEquals(0x0102030405060708L, slab.region().getLong(4160)); // the bytes live in the registered region

        b.release();
        assertEquals(1, slab.available());
        ByteBuf c = slab.allocate(16);
        assertEquals(4160, slab.offsetOf(c));
        a.release();
        c.release();
        assertEquals(2, slab.available());
    }

    @Test
    void requestsBeyondTheSlotSizeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BufferSlab(64, 1).allocate(65));
    }
}
