package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A host whose ACL entry lists namespaces sees only those: in the active namespace list, in Identify Namespace and
 * for I/O (a masked NSID is an inactive one to that host), like nvmet's per-host namespace visibility.
 */
class NamespaceMaskTest {
    static final String NQN = "nqn.2024-01.dev.ferry:masked";
    static final int CNS_ACTIVE_NAMESPACES = 0x02;
    static final int CNS_NAMESPACE = 0x00;
    static final int BLOCK = 512;
    /** Status Field: DNR, SCT 0 Generic, SC 0Bh Invalid Namespace or Format (Base 2.0 Figure 102). */
    static final int INVALID_NAMESPACE_DNR = 1 << 14 | 0x0B;

    TargetCore core;
    InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        List<BackstoreConfig> backstores = new ArrayList<>();
        List<LunConfig> namespaces = new ArrayList<>();
        for (int ns = 1; ns <= 3; ns++) {
            backstores.add(new BackstoreConfig("m" + ns, "ram", "1M", null, null, null, null, null, null, null));
            namespaces.add(new LunConfig(ns, "m" + ns));
        }
        AclConfig masked = new AclConfig(NvmeTcpTestHost.HOST_NQN, null, null, null, null, List.of(1L, 3L));
        core = TargetCore.start(new FerryConfig(backstores, List.of(new TargetConfig(NQN, "nvme",
                List.of("127.0.0.1:0"), namespaces, List.of(masked), false, null)), null));
        address = core.frontend("nvme").boundAddresses().get(0);
    }

    @AfterEach
    void stop() {
        core.close();
    }

    @Test
    void maskedNamespaceIsInactiveForThatHost() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            int cntlid = admin.connectAdmin(NQN, 0);
            ByteBuffer active = ByteBuffer.wrap(admin.identify(CNS_ACTIVE_NAMESPACES, 0)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1, active.getInt(0));
            assertEquals(3, active.getInt(4), "namespace 2 is masked");
            assertEquals(0, active.getInt(8));
            assertArrayEquals(new byte[NvmeTcpTestHost.IDENTIFY_SIZE], admin.identify(CNS_NAMESPACE, 2),
                    "a masked NSID reads as an inactive one: zeroes");
            assertEquals(1024 * 1024 / BLOCK, ByteBuffer.wrap(admin.identify(CNS_NAMESPACE, 3))
                    .order(ByteOrder.LITTLE_ENDIAN).getLong(0), "NSZE of a visible namespace");

            io.connectIo(NQN, cntlid, 1, 31);
            io.write(3, 0, new byte[BLOCK], BLOCK);
            ByteBuffer read = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x02, io.nextCid(), 2), BLOCK);
            assertEquals(INVALID_NAMESPACE_DNR, io.execute(read, null, null).status(), "I/O to a masked namespace");
        }
    }
}
