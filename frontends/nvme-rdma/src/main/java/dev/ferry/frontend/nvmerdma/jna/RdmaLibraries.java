package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Native;

/**
 * Loads libibverbs and librdmacm by soname (libibverbs.so.1, librdmacm.so.1: the runtime packages ship no
 * unversioned .so link), or says why not, so that a missing rdma-core is a clear message rather than a crash.
 */
public record RdmaLibraries(LibIbverbs verbs, LibRdmacm cm) {
    static final String IBVERBS = "libibverbs.so.1";
    static final String RDMACM = "librdmacm.so.1";

    /** The libraries, or an {@link UnsatisfiedLinkError} naming the one that is missing. */
    public static RdmaLibraries load() {
        return new RdmaLibraries(Native.load(IBVERBS, LibIbverbs.class), Native.load(RDMACM, LibRdmacm.class));
    }
}
