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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * NVMe Copy over a real NVMe/TCP connection: the host finds it in Identify (ONCS bit 8, OCFS bit 0, MSSRL, MCL,
 * MSRC), sends the source range list in the capsule or solicited by R2T, and reads the copied blocks back; a list
 * beyond MSRC ends with Command Size Limit Exceeded and the connection goes on.
 */
class NvmeTcpCopyTest {
    static final String NQN = "nqn.2024-01.dev.ferry:copy";
    static final int BS = 512;

    static byte[] ranges(long[]... r) {
        ByteBuffer b = ByteBuffer.allocate(r.length * 32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < r.length; i++) {
            b.putLong(i * 32 + 8, r[i][0]).putShort(i * 32 + 16, (short) (r[i][1] - 1));
        }
        return b.array();
    }

    static ByteBuffer copySqe(NvmeTcpTestHost h, long sdlba, int count, boolean inCapsule) {
        ByteBuffer s = NvmeTcpTestHost.sqe(0x19, h.nextCid(), 1);
        if (inCapsule) {
            NvmeTcpTestHost.inCapsuleSgl(s, count * 32);
        } else {
            NvmeTcpTestHost.transportSgl(s, count * 32);
        }
        s.putLong(40, sdlba).putInt(48, count - 1);
        return s;
    }

    @Test
    void aHostCopiesBlocksWithoutSendingThem() throws Exception {
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("copy", "ram", "4M", null, BS, null, null, null, null, null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "copy")),
                        List.of(new AclConfig(NvmeTcpTestHost.HOST_NQN)), false, null)));
        try (TargetCore core = TargetCore.start(config)) {
            InetSocketAddress address = core.frontend("nvme").boundAddresses().get(0);
            try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address);
                 NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
                int cntlid = admin.connectAdmin(NQN, 0);
                ByteBuffer ctrl = ByteBuffer.wrap(admin.identify(NvmeTcpTestHost.CNS_CONTROLLER, 0))
                        .order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(1 << 8, ctrl.getShort(520) & 1 << 8, "ONCS: Copy");
                assertEquals(1, ctrl.getShort(534), "OCFS: format 0");
                ByteBuffer ns = ByteBuffer.wrap(admin.identify(NvmeTcpTestHost.CNS_NAMESPACE, 1))
                        .order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(0xFFFF, ns.getShort(74) & 0xFFFF, "MSSRL");
                assertEquals((64 << 20) / BS, ns.getInt(76), "MCL");
                assertEquals(15, ns.get(80), "MSRC");

                io.connectIo(NQN, cntlid, 1, 127);
                byte[] a = new byte[64 * BS];
                byte[] b = new byte[8 * BS];
                new Random(19).nextBytes(a);
                new Random(23).nextBytes(b);
                io.write(1, 0, a, BS);
                io.write(1, 200, b, BS);

                byte[] list = ranges(new long[]{0, 64}, new long[]{200, 8});
                assertEquals(0, io.execute(copySqe(io, 1000, 2, true), list, null).status(), "in-capsule list");
                assertArrayEquals(a, io.read(1, 1000, 64, BS));
                assertArrayEquals(b, io.read(1, 1064, 8, BS));
                assertEquals(0, io.execute(copySqe(io, 3000, 2, false), null, list).status(), "list by R2T");
                assertArrayEquals(a, io.read(1, 3000, 64, BS));
                assertArrayEquals(b, io.read(1, 3064, 8, BS));

                byte[] seventeen = new byte[17 * 32];
                assertEquals(1 << 14 | 1 << 8 | 0x83, io.execute(copySqe(io, 0, 17, true), seventeen, null).status(),
                        "Command Size Limit Exceeded");
                assertArrayEquals(a, io.read(1, 0, 64, BS), "the connection goes on, nothing changed");
            }
        }
    }
}
