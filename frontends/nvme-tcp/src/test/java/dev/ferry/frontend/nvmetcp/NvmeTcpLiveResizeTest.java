package dev.ferry.frontend.nvmetcp;

import static dev.ferry.frontend.nvmetcp.NvmeTcpLiveChangesTest.NAMESPACE_ATTRIBUTE_CHANGED;
import static dev.ferry.frontend.nvmetcp.NvmeTcpLiveChangesTest.awaitAsyncEvent;
import static dev.ferry.frontend.nvmetcp.NvmeTcpLiveChangesTest.changedNamespaces;
import static dev.ferry.frontend.nvmetcp.NvmeTcpLiveChangesTest.requestAsyncEvent;
import static dev.ferry.frontend.nvmetcp.NvmeTcpLiveChangesTest.setAsyncEventConfiguration;
import static dev.ferry.frontend.nvmetcp.NvmeTcpLiveChangesTest.subsystem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A backstore resized live under connected hosts: a host that enabled Namespace Attribute Changed events gets one,
 * every controller that sees the namespace lists its NSID in the Changed Namespace List (log 04h), and Identify
 * Namespace reports the new NSZE, NCAP and NUSE.
 */
class NvmeTcpLiveResizeTest {
    static final String NQN = "nqn.2024-01.dev.ferry:resize";

    static FerryConfig config(String sizeOfA) {
        return new FerryConfig(List.of(
                new BackstoreConfig("a", "ram", sizeOfA, null, null, null, null, null, null, null),
                new BackstoreConfig("b", "ram", "1M", null, null, null, null, null, null, null)),
                List.of(subsystem(NQN, "127.0.0.1:0", Map.of(1L, "a", 2L, "b"), NvmeTcpTestHost.HOST_NQN)), null);
    }

    /** NSZE, NCAP and NUSE: Identify Namespace bytes 0-23 (Base 2.0 Figure 280 / NVM Command Set 4.1.5.1). */
    static List<Long> sizes(NvmeTcpTestHost h, int nsid) throws Exception {
        ByteBuffer ns = ByteBuffer.wrap(h.identify(NvmeTcpTestHost.CNS_NAMESPACE, nsid)).order(ByteOrder.LITTLE_ENDIAN);
        return List.of(ns.getLong(0), ns.getLong(8), ns.getLong(16));
    }

    @Test
    void connectedHostsAreToldAndIdentifyShowsTheNewSize() throws Exception {
        try (TargetCore core = TargetCore.start(config("1M"))) {
            InetSocketAddress address = core.frontend("nvme").boundAddresses().get(0);
            try (NvmeTcpTestHost withEvents = new NvmeTcpTestHost(address);
                 NvmeTcpTestHost withoutEvents = new NvmeTcpTestHost(address)) {
                withEvents.connectAdmin(NQN, 0);
                withoutEvents.connectAdmin(NQN, 0);
                setAsyncEventConfiguration(withEvents, 1 << 8);
                int aer = requestAsyncEvent(withEvents);
                assertEquals(List.of(2048L, 2048L, 2048L), sizes(withEvents, 1));

                core.apply(config("3M"));

                assertEquals(NAMESPACE_ATTRIBUTE_CHANGED, awaitAsyncEvent(withEvents, aer));
                assertEquals(List.of(1L), changedNamespaces(withEvents));
                assertEquals(List.of(6144L, 6144L, 6144L), sizes(withEvents, 1));
                assertEquals(List.of(2048L, 2048L, 2048L), sizes(withEvents, 2), "namespace 2 is another backstore");
                assertEquals(List.of(1L), changedNamespaces(withoutEvents), "logged without the event as well");
                assertEquals(List.of(6144L, 6144L, 6144L), sizes(withoutEvents, 1));
            }
        }
    }
}
