package dev.ferry.frontend.nvmerdma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The frontend on a machine without RDMA (the in-guest test covers it with a device). */
class NvmeRdmaFrontendTest {

    private static UnitRegistry registryWith(Portal... portals) {
        UnitRegistry registry = new UnitRegistry();
        registry.replace(Map.of(), List.of(new Export("nqn.2024-01.dev.ferry:t", "nvme", null, List.of(portals),
                new TreeMap<>(), Set.of(), true)));
        return registry;
    }

    @Test
    void withoutAnRdmaPortalItBindsNothing() throws Exception {
        try (NvmeRdmaFrontend f = new NvmeRdmaFrontend(registryWith(new Portal("127.0.0.1", 4420)))) {
            f.start();
            assertEquals(List.of(), f.boundAddresses());
            assertEquals(List.of(), f.ports());
            assertEquals("rdma", f.transport());
        }
    }

    @Test
    void anRdmaPortalWithoutRdmaSaysWhatIsMissing() {
        RdmaAvailability.Result here = RdmaAvailability.check();
        assumeFalse(here.available(), "this machine has a usable RDMA device");
        NvmeRdmaFrontend f = new NvmeRdmaFrontend(registryWith(Portal.parse("rdma://10.0.2.15:4420", 4420)));
        IllegalStateException e = assertThrows(IllegalStateException.class, f::start);
        assertEquals("NVMe/RDMA: " + here.reason(), e.getMessage());
        assertTrue(here.reason().startsWith("no RDMA provider library") || here.reason().startsWith("no RDMA device")
                || here.reason().contains("rdma_cm"), here.reason());
        assertNull(here.libraries());
    }

    @Test
    void discoveryEntriesSayRdmaReliableConnectedOverRdmaCm() {
        NvmeRdmaFrontend f = new NvmeRdmaFrontend(new UnitRegistry());
        assertEquals(1, f.transportType());
        byte[] tsas = f.transportSpecificAddress();
        assertEquals(256, tsas.length);
        // RDMA_QPTYPE reliable connected, RDMA_PRTYPE not specified, RDMA_CMS RDMA_CM, RDMA_PKEY (bytes 9:8) 0
        assertArrayEquals(new byte[] {1, 1, 1, 0, 0, 0, 0, 0, 0, 0}, Arrays.copyOf(tsas, 10));
        assertTrue(Arrays.equals(new byte[246], Arrays.copyOfRange(tsas, 10, 256)));
        assertEquals(8192, f.ioInCapsuleDataSize());
        assertTrue(f.keyedSglDescriptors());
    }
}
