package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.SessionSource;
import dev.ferry.frontend.nvme.FabricsPort;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live reconfiguration over real sockets: {@link TargetCore#apply} binds and unbinds NVMe/TCP ports, the discovery
 * log follows, connected controllers get Namespace Attribute Changed events with the Changed Namespace List, and a
 * host that loses access loses its controllers.
 */
class NvmeTcpLiveChangesTest {
    static final String NQN = "nqn.2024-01.dev.ferry:live";
    static final String NEW_NQN = "nqn.2024-01.dev.ferry:live-new";
    static final String OTHER_HOST = "nqn.2014-08.org.example:someone-else";
    /** A second loopback address: a port of its own without guessing a free port number. */
    static final String NEW_PORTAL = "127.0.0.2:0";
    static final int OPC_GET_LOG_PAGE = 0x02;
    static final int OPC_SET_FEATURES = 0x09;
    static final int OPC_ASYNC_EVENT_REQUEST = 0x0C;
    static final int FID_ASYNC_EVENT_CONFIGURATION = 0x0B;
    static final int LID_CHANGED_NAMESPACES = 0x04;
    static final int LID_DISCOVERY = 0x70;
    /** Completion DW0 of the events (Base 2.0 Figure 146): Notice, information, log page. */
    static final long NAMESPACE_ATTRIBUTE_CHANGED = 0x00_04_00_02;
    static final long DISCOVERY_LOG_CHANGED = 0x00_70_F0_02;
    /** Status Field: DNR, SCT 0 Generic, SC 0Bh Invalid Namespace or Format (Base 2.0 Figure 102). */
    static final int INVALID_NAMESPACE_DNR = 1 << 14 | 0x0B;
    /** Namespace Not Ready (Base 2.0 Figure 102), DNR clear: a command that reached its unit as the unit closed. */
    static final int NAMESPACE_NOT_READY = 0x82;

    TargetCore core;
    NvmeTcpFrontend frontend;
    InetSocketAddress address;

    static List<BackstoreConfig> backstores() {
        return List.of(new BackstoreConfig("a", "ram", "1M", null, null, null, null, null, null, null),
                new BackstoreConfig("b", "ram", "1M", null, null, null, null, null, null, null),
                new BackstoreConfig("c", "ram", "2M", null, null, null, null, null, null, null));
    }

    static TargetConfig subsystem(String nqn, String portal, Map<Long, String> namespaces, String host) {
        List<LunConfig> ns = new ArrayList<>();
        namespaces.forEach((id, backstore) -> ns.add(new LunConfig(id, backstore)));
        return new TargetConfig(nqn, "nvme", List.of(portal), ns, List.of(new AclConfig(host)), false, null);
    }

    static FerryConfig config(TargetConfig... subsystems) {
        return new FerryConfig(backstores(), List.of(subsystems), null);
    }

    static TargetConfig initial() {
        return subsystem(NQN, "127.0.0.1:0", Map.of(1L, "a"), NvmeTcpTestHost.HOST_NQN);
    }

    @BeforeEach
    void start() throws Exception {
        core = TargetCore.start(config(initial()));
        frontend = (NvmeTcpFrontend) core.frontend("nvme");
        address = frontend.boundAddresses().get(0);
    }

    @AfterEach
    void stop() {
        core.close();
    }

    @Test
    void aNewSubsystemOnANewPortIsConnectableAndDiscoverableUntilRemoved() throws Exception {
        try (NvmeTcpTestHost disc = new NvmeTcpTestHost(address)) {
            disc.connectAdmin(NvmeTarget.DISCOVERY_NQN, 0);
            setAsyncEventConfiguration(disc, 1 << 31);
            int aer = requestAsyncEvent(disc);

            core.apply(config(initial(), subsystem(NEW_NQN, NEW_PORTAL, Map.of(1L, "b"), NvmeTcpTestHost.HOST_NQN)));
            assertEquals(DISCOVERY_LOG_CHANGED, awaitAsyncEvent(disc, aer));
            List<FabricsPort> ports = frontend.ports();
            assertEquals(2, ports.size());
            assertEquals(1, ports.get(0).portId(), "the existing port keeps its PORTID");
            assertEquals(2, ports.get(1).portId());
            InetSocketAddress added = ports.get(1).bound();
            assertEquals("127.0.0.2", added.getAddress().getHostAddress());

            Map<String, String[]> entries = discoveryEntries(disc);
            assertEquals("127.0.0.2", entries.get(NEW_NQN)[0]);
            assertEquals(String.valueOf(added.getPort()), entries.get(NEW_NQN)[1], "TRSVCID");
            assertEquals("2", entries.get(NEW_NQN)[2], "PORTID");
            assertEquals("1", entries.get(NQN)[2]);

            try (NvmeTcpTestHost host = new NvmeTcpTestHost(added)) {
                host.connectAdmin(NEW_NQN, 0);
                byte[] ns = host.identify(NvmeTcpTestHost.CNS_NAMESPACE, 1);
                assertEquals(2048, ByteBuffer.wrap(ns).order(ByteOrder.LITTLE_ENDIAN).getLong(0), "NSZE of 1 MiB");

                core.apply(config(initial()));
                assertTrue(host.closedByTarget(), "its subsystem removed: the controller is deleted");
            }
            assertThrows(ConnectException.class, () -> new NvmeTcpTestHost(added).close(), "the port is unbound");
            assertEquals(List.of(address), frontend.boundAddresses());
            assertEquals(1, frontend.ports().get(0).portId());
            assertEquals(List.of(NQN), List.copyOf(discoveryEntries(disc).keySet()));
        }
    }

    @Test
    void namespacesAddedAndRemovedRaiseTheEventAndTheChangedNamespaceList() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            admin.connectAdmin(NQN, 0);
            setAsyncEventConfiguration(admin, 1 << 8);
            int aer = requestAsyncEvent(admin);

            core.apply(config(subsystem(NQN, "127.0.0.1:0", Map.of(1L, "a", 3L, "c"), NvmeTcpTestHost.HOST_NQN)));
            assertEquals(NAMESPACE_ATTRIBUTE_CHANGED, awaitAsyncEvent(admin, aer));
            assertEquals(List.of(3L), changedNamespaces(admin));
            assertEquals(4096, ByteBuffer.wrap(admin.identify(NvmeTcpTestHost.CNS_NAMESPACE, 3))
                    .order(ByteOrder.LITTLE_ENDIAN).getLong(0), "namespace 3 is served: 2 MiB");
            assertEquals(List.of(), changedNamespaces(admin), "reading the log cleared it");

            aer = requestAsyncEvent(admin);
            core.apply(config(subsystem(NQN, "127.0.0.1:0", Map.of(3L, "c"), NvmeTcpTestHost.HOST_NQN)));
            assertEquals(NAMESPACE_ATTRIBUTE_CHANGED, awaitAsyncEvent(admin, aer), "re-armed by the log read");
            assertEquals(List.of(1L), changedNamespaces(admin));
            assertEquals(0, ByteBuffer.wrap(admin.identify(NvmeTcpTestHost.CNS_NAMESPACE, 1))
                    .order(ByteOrder.LITTLE_ENDIAN).getLong(0), "namespace 1 is inactive now: all zeroes");
        }
    }

    @Test
    void requestsInFlightWhenTheirNamespaceGoesAllComplete() throws Exception {
        int commands = 100;
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            int cntlid = admin.connectAdmin(NQN, 0);
            io.connectIo(NQN, cntlid, 1, 127);
            byte[] data = new byte[4096];
            for (int i = 0; i < commands; i++) {
                ByteBuffer write = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE, 1000 + i, 1),
                        data.length);
                write.putLong(40, 8L * i).putInt(48, 7);
                io.sendCapsule(write.array(), data);
            }
            // Namespace 1 and its backstore go while those writes are under way.
            core.apply(new FerryConfig(backstores().subList(1, 3),
                    List.of(subsystem(NQN, "127.0.0.1:0", Map.of(3L, "c"), NvmeTcpTestHost.HOST_NQN)), null));
            int done = 0;
            int refused = 0;
            for (int i = 0; i < commands; i++) {
                NvmeTcpTestHost.Received r = io.read();
                assertEquals(0x05, r.type(), "every command gets its CapsuleResp");
                if (r.status() == 0) {
                    done++;
                } else {
                    // Parsed before the change, it met its unit closing (retryable); parsed after, the namespace was gone.
                    assertTrue(r.status() == INVALID_NAMESPACE_DNR || r.status() == NAMESPACE_NOT_READY,
                            "refused as Invalid Namespace or Namespace Not Ready: " + Integer.toHexString(r.status()));
                    refused++;
                }
            }
            assertEquals(commands, done + refused);
            assertEquals(INVALID_NAMESPACE_DNR, io.execute(NvmeTcpTestHost.inCapsuleSgl(
                    NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE, io.nextCid(), 1), 4096).putInt(48, 7), data, null)
                    .status(), "namespace 1 is no longer served");
        }
    }

    @Test
    void aHostRemovedFromTheSubsystemLosesItsControllers() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            int cntlid = admin.connectAdmin(NQN, 0);
            io.connectIo(NQN, cntlid, 1, 31);
            assertEquals(1, frontend.liveSessions().size());

            core.apply(config(subsystem(NQN, "127.0.0.1:0", Map.of(1L, "a"), OTHER_HOST)));
            assertTrue(admin.closedByTarget(), "admin queue closed");
            assertTrue(io.closedByTarget(), "I/O queue closed");
            assertEquals(List.of(), frontend.liveSessions());
            assertTrue(frontend.target().controllers().isEmpty());
        }
    }

    @Test
    void sessionsAreTheControllersWithHostNqnAndAddress() throws Exception {
        try (NvmeTcpTestHost disc = new NvmeTcpTestHost(address); NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            disc.connectAdmin(NvmeTarget.DISCOVERY_NQN, 0);
            int cntlid = admin.connectAdmin(NQN, 0);
            assertEquals(List.of(new SessionSource.Session("nvme", NQN, NvmeTcpTestHost.HOST_NQN,
                    "127.0.0.1:" + admin.localAddress().getPort(), String.valueOf(cntlid))), frontend.liveSessions(),
                    "the discovery controller is left out");
        }
    }

    @Test
    void aPortThatCannotBeBoundChangesNothing() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"))) {
            String busy = "127.0.0.2:" + taken.getLocalPort();
            Exception e = assertThrows(Exception.class, () -> core.apply(config(initial(),
                    subsystem(NEW_NQN, busy, Map.of(1L, "b"), NvmeTcpTestHost.HOST_NQN))));
            assertTrue(e.getMessage().contains(busy), e.getMessage());
        }
        assertEquals(List.of(address), frontend.boundAddresses());
        try (NvmeTcpTestHost host = new NvmeTcpTestHost(address)) {
            host.connectAdmin(NQN, 0);
        }
    }

    static void setAsyncEventConfiguration(NvmeTcpTestHost h, int bits) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.sqe(OPC_SET_FEATURES, h.nextCid(), 0);
        s.putInt(40, FID_ASYNC_EVENT_CONFIGURATION).putInt(44, bits);
        assertEquals(0, h.execute(s, null, null).status());
    }

    /** Sends an Asynchronous Event Request, which the target holds; returns its CID. */
    static int requestAsyncEvent(NvmeTcpTestHost h) throws IOException {
        int cid = h.nextCid();
        h.sendCapsule(NvmeTcpTestHost.sqe(OPC_ASYNC_EVENT_REQUEST, cid, 0).array(), null);
        return cid;
    }

    /** The next PDU must be the completion of the held request; returns its DW0. */
    static long awaitAsyncEvent(NvmeTcpTestHost h, int cid) throws IOException {
        NvmeTcpTestHost.Received r = h.read();
        assertEquals(0x05, r.type(), "CapsuleResp");
        assertEquals(cid, r.cid());
        assertEquals(0, r.status());
        return r.result() & 0xFFFFFFFFL;
    }

    /** Get Log Page 04h without RAE (Base 2.0 5.16.1.5): the list of NSIDs, up to the first zero. */
    static List<Long> changedNamespaces(NvmeTcpTestHost h) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(OPC_GET_LOG_PAGE, h.nextCid(), 0xFFFFFFFFL), 4096);
        s.putInt(40, LID_CHANGED_NAMESPACES | (4096 / 4 - 1) << 16);
        NvmeTcpTestHost.Completion c = h.execute(s, null, null);
        assertEquals(0, c.status());
        ByteBuffer page = ByteBuffer.wrap(c.data()).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> out = new ArrayList<>();
        for (int at = 0; at < 4096 && page.getInt(at) != 0; at += 4) {
            out.add(page.getInt(at) & 0xFFFFFFFFL);
        }
        return out;
    }

    /** Discovery log entries of NVM subsystems (Base 2.0 Figure 294) by SUBNQN: TRADDR, TRSVCID, PORTID. */
    private static Map<String, String[]> discoveryEntries(NvmeTcpTestHost h) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(OPC_GET_LOG_PAGE, h.nextCid(), 0), 8192);
        s.putInt(40, LID_DISCOVERY | (8192 / 4 - 1) << 16);
        NvmeTcpTestHost.Completion c = h.execute(s, null, null);
        assertEquals(0, c.status());
        ByteBuffer page = ByteBuffer.wrap(c.data()).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, String[]> out = new LinkedHashMap<>();
        for (int i = 0; i < page.getLong(8); i++) {
            int e = 1024 + 1024 * i;
            if (page.get(e + 2) != 2) {
                continue; // the current discovery subsystem's own entry
            }
            out.put(ascii(c.data(), e + 256, 256), new String[] {ascii(c.data(), e + 512, 256), ascii(c.data(), e + 32, 32),
                    String.valueOf(page.getShort(e + 4) & 0xFFFF)});
        }
        return out;
    }

    private static String ascii(byte[] b, int from, int length) {
        return new String(b, from, length, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }
}
