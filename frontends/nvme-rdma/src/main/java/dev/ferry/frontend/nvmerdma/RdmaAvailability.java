package dev.ferry.frontend.nvmerdma;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.ferry.frontend.nvmerdma.jna.RdmaLibraries;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this machine can serve NVMe/RDMA, and if not exactly why: no provider library, no RDMA device, or no
 * access to the RDMA CM device. Loading rdma-core is the first step, so only call this when an rdma portal is
 * configured (or asked for, as {@code ferry demo --rdma} does).
 */
public final class RdmaAvailability {
    static final Path RDMA_CM = Path.of("/dev/infiniband/rdma_cm");

    /** The outcome: {@code reason} is null when RDMA is usable, and {@code libraries} then loaded. */
    public record Result(RdmaLibraries libraries, String reason) {
        public boolean available() {
            return reason == null;
        }
    }

    private RdmaAvailability() {
    }

    public static Result check() {
        RdmaLibraries libs;
        try {
            libs = RdmaLibraries.load();
        } catch (UnsatisfiedLinkError e) {
            return new Result(null, "no RDMA provider library (libibverbs.so.1/librdmacm.so.1 not loadable: "
                    + e.getMessage() + "; install rdma-core's libibverbs1, ibverbs-providers and librdmacm1)");
        }
        IntByReference count = new IntByReference();
        Pointer list = libs.verbs().ibv_get_device_list(count);
        String found;
        if (list == null) { // ENOSYS: the kernel has no uverbs interface at all
            found = "ibv_get_device_list failed with errno " + Native.getLastError() + ", no RDMA support loaded";
        } else {
            libs.verbs().ibv_free_device_list(list);
            found = "ibv_get_device_list returned " + count.getValue() + " devices";
        }
        if (list == null || count.getValue() == 0) {
            return new Result(null, "no RDMA device (" + found + "; load rdma_rxe and `rdma link add rxe0 type rxe"
                    + " netdev eth0` for soft-RoCE, or the NIC's driver, ib_uverbs and its rdma-core provider)");
        }
        if (!Files.exists(RDMA_CM)) {
            return new Result(null, "no RDMA CM device (" + RDMA_CM + " is missing; modprobe rdma_ucm)");
        }
        if (!Files.isReadable(RDMA_CM) || !Files.isWritable(RDMA_CM)) {
            return new Result(null, "no permission to open " + RDMA_CM + " (run as root or give this user access)");
        }
        return new Result(libs, null);
    }

    /** The libraries, or an exception whose message says what is missing. */
    public static RdmaLibraries require() {
        Result r = check();
        if (!r.available()) {
            throw new IllegalStateException("NVMe/RDMA: " + r.reason());
        }
        return r.libraries();
    }
}
