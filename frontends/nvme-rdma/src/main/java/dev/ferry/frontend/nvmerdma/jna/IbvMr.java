package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct ibv_mr}:
 * <pre>
 * 0 struct ibv_context *context   8 struct ibv_pd *pd   16 void *addr   24 size_t length
 * 32 uint32_t handle              36 uint32_t lkey      40 uint32_t rkey
 * </pre>
 */
public final class IbvMr {
    static final int ADDR = 16;
    static final int LENGTH = 24;
    static final int LKEY = 36;

    private IbvMr() {
    }

    public static long address(Pointer mr) { return Pointer.nativeValue(mr.getPointer(ADDR)); }
    public static long length(Pointer mr) { return mr.getLong(LENGTH); }
    /** The local key every SGE into this region carries. */
    public static int lkey(Pointer mr) { return mr.getInt(LKEY); }
}
