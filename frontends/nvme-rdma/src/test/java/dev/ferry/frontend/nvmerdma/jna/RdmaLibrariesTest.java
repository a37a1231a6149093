package dev.ferry.frontend.nvmerdma.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Loading rdma-core through JNA on whatever this machine has. Without the libraries the tests are skipped; without
 * an RDMA device only what needs none runs (the in-guest soft-RoCE test covers the rest).
 */
class RdmaLibrariesTest {

    private static RdmaLibraries loadOrSkip() {
        try {
            return RdmaLibraries.load();
        } catch (UnsatisfiedLinkError e) {
            assumeTrue(false, "rdma-core (libibverbs.so.1, librdmacm.so.1) is not installed: " + e.getMessage());
            throw e;
        }
    }

    /** rdma_event_str names the CM event values, so it checks both the binding and the constants. */
    @Test
    void loadsBySonameAndAgreesOnEventValues() {
        LibRdmacm cm = loadOrSkip().cm();
        assertEquals("RDMA_CM_EVENT_CONNECT_REQUEST", cm.rdma_event_str(RdmaCmEvent.CONNECT_REQUEST));
        assertEquals("RDMA_CM_EVENT_CONNECT_ERROR", cm.rdma_event_str(RdmaCmEvent.CONNECT_ERROR));
        assertEquals("RDMA_CM_EVENT_UNREACHABLE", cm.rdma_event_str(RdmaCmEvent.UNREACHABLE));
        assertEquals("RDMA_CM_EVENT_REJECTED", cm.rdma_event_str(RdmaCmEvent.REJECTED));
        assertEquals("RDMA_CM_EVENT_ESTABLISHED", cm.rdma_event_str(RdmaCmEvent.ESTABLISHED));
        assertEquals("RDMA_CM_EVENT_DISCONNECTED", cm.rdma_event_str(RdmaCmEvent.DISCONNECTED));
        assertEquals("RDMA_CM_EVENT_DEVICE_REMOVAL", cm.rdma_event_str(RdmaCmEvent.DEVICE_REMOVAL));
        assertEquals("RDMA_CM_EVENT_TIMEWAIT_EXIT", cm.rdma_event_str(RdmaCmEvent.TIMEWAIT_EXIT));
    }

    @Test
    void listsDevicesEvenWhenThereAreNone() {
        LibIbverbs verbs = loadOrSkip().verbs();
        IntByReference count = new IntByReference(-1);
        Pointer list = verbs.ibv_get_device_list(count);
        assumeTrue(list != null, "ibv_get_device_list returned NULL: no RDMA support on this host");
        try {
            assertTrue(count.getValue() >= 0);
        } finally {
            verbs.ibv_free_device_list(list);
        }
    }

    @Test
    void eventChannelOpensWhereTheCmDeviceExists() {
        LibRdmacm cm = loadOrSkip().cm();
        assumeTrue(Files.isReadable(Path.of("/dev/infiniband/rdma_cm")), "no /dev/infiniband/rdma_cm on this host");
        Pointer channel = cm.rdma_create_event_channel();
        assertNotNull(channel);
        cm.rdma_destroy_event_channel(channel);
    }
}
