package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct ibv_sge}, 16 bytes:
 * <pre>
 * 0  uint64_t addr
 * 8  uint32_t length
 * 12 uint32_t lkey
 * </pre>
 */
public final class IbvSge {
    public static final int SIZE = 16;
    static final int ADDR = 0;
    static final int LENGTH = 8;
    static final int LKEY = 12;

    private IbvSge() {
    }

    public static void write(Pointer sge, long address, int length, int lkey) {
        sge.setLong(ADDR, address);
        sge.setInt(LENGTH, length);
        sge.setInt(LKEY, lkey);
    }
}
