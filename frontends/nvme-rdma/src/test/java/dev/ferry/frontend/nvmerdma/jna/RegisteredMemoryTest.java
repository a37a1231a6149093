package dev.ferry.frontend.nvmerdma.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ferry.frontend.nvmerdma.jna.RegisteredMemory.SizeClass;
import io.netty.buffer.ByteBuf;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Size classes, growth by whole regions and the SGE fields, over a fake ibv_reg_mr. */
class RegisteredMemoryTest {
    private final List<Long> registered = new ArrayList<>();
    private int deregistered;

    /** ibv_reg_mr returns an ibv_mr with the region's address and lkey 100, 101, ... in registration order. */
    private LibIbverbs fakeVerbs() {
        return (LibIbverbs) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {LibIbverbs.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "ibv_reg_mr" -> {
                        Memory mr = new Memory(48);
                        mr.clear();
                        mr.setPointer(IbvMr.ADDR, (Pointer) args[1]);
                        mr.setLong(IbvMr.LENGTH, (Long) args[2]);
                        mr.setInt(IbvMr.LKEY, 100 + registered.size());
                        registered.add((Long) args[2]);
                        yield mr;
                    }
                    case "ibv_dereg_mr" -> {
                        deregistered++;
                        yield 0;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void smallestFittingClassFirstThenOneMoreRegionUpToTheLimit() {
        RegisteredMemory m = new RegisteredMemory(fakeVerbs(), new Memory(8),
                List.of(new SizeClass(64, 2), new SizeClass(4096, 1)), 64 * 2 + 4096 * 2);
        assertEquals(List.of(128L, 4096L), registered);
        ByteBuf a = m.allocate(16);
        ByteBuf b = m.allocate(64);
        ByteBuf c = m.allocate(16); // the 64-byte class is full: the next class up serves it
        assertEquals(100, m.lkey(a));
        assertEquals(100, m.lkey(b));
        assertEquals(101, m.lkey(c));
        assertEquals(m.address(a) + 64, m.address(b));
        ByteBuf d = m.allocate(4000); // both classes full: one more 4096-byte region, lkey 102
        assertNotNull(d);
        assertEquals(102, m.lkey(d));
        assertEquals(List.of(128L, 4096L, 4096L), registered);
        assertNull(m.allocate(100), "the limit is reached: no more registration");
        c.release();
        ByteBuf e = m.allocate(100);
        assertEquals(101, m.lkey(e));
        assertNotEquals(m.address(d), m.address(e));
        m.close();
        assertEquals(3, deregistered);
    }
}
