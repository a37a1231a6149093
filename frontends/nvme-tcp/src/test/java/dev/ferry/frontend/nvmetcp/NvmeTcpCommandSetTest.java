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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An NVMe 2.0 host over a real TCP socket: it sees CAP.CSS bit 6, enables the controller with CC.CSS = 110b (all
 * supported I/O command sets, Base 2.0 Figure 41), reads the command-set-aware Identify structures (CNS 1Ch, 05h,
 * 06h, 07h, 08h, the CSI descriptor of 03h) and then does I/O, on an I/O queue whose Connect carries another Host
 * Identifier than the admin queue's.
 */
class NvmeTcpCommandSetTest {
    static final String NQN = "nqn.2024-01.dev.ferry:css";
    static final int CC_CSS_ALL_IO_COMMAND_SETS = 0b110 << 4;
    static final int CC = 0x14;
    static final int CSTS = 0x1C;

    static NvmeTcpTestHost.Completion identify(NvmeTcpTestHost h, int cns, long nsid, int csi) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x06, h.nextCid(), nsid), 4096);
        s.putInt(40, cns).putInt(44, csi << 24);
        return h.execute(s, null, null);
    }

    static long property(NvmeTcpTestHost h, int offset, boolean eightBytes) throws IOException {
        return h.execute(NvmeTcpTestHost.propertySqe(h.nextCid(), true, eightBytes ? 1 : 0, offset, 0), null, null)
                .result();
    }

    @Test
    void hostSelectingAllIoCommandSetsIdentifiesAndDoesIo() throws Exception {
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("css", "ram", "1M", null, 512, null, null, null, null, null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "css")),
                        List.of(new AclConfig(NvmeTcpTestHost.HOST_NQN)), false, null)));
        try (TargetCore core = TargetCore.start(config)) {
            InetSocketAddress address = core.frontend("nvme").boundAddresses().get(0);
            try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address);
                 NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
                admin.initialize(false, false);
                NvmeTcpTestHost.Completion c = admin.execute(NvmeTcpTestHost.connectSqe(admin.nextCid(), 0, 31, 0),
                        NvmeTcpTestHost.connectData(0xFFFF, NQN, NvmeTcpTestHost.HOST_NQN), null);
                assertEquals(0, c.status());
                int cntlid = (int) (c.result() & 0xFFFF);

                long cap = property(admin, 0x00, true);
                assertEquals(1, (cap >>> 43) & 1, "CAP.CSS bit 6: I/O command sets");
                assertEquals(1, (cap >>> 37) & 1, "CAP.CSS bit 0: NVM");
                // As a 2.0 host does (Linux nvme_enable_ctrl): CSS 110b because CAP.CSS bit 6 is set.
                int cc = NvmeTcpTestHost.CC_ENABLE | CC_CSS_ALL_IO_COMMAND_SETS;
                assertEquals(0, admin.execute(NvmeTcpTestHost.propertySqe(admin.nextCid(), false, 0, CC, cc), null,
                        null).status());
                assertEquals(1, property(admin, CSTS, false), "CSTS.RDY without CFS");
                assertEquals(cc, property(admin, CC, false));

                NvmeTcpTestHost.Completion sets = identify(admin, 0x1C, 0, 0);
                assertEquals(0, sets.status());
                byte[] vectors = new byte[4096];
                vectors[0] = 1; // combination 0: the NVM command set
                assertArrayEquals(vectors, sets.data());

                NvmeTcpTestHost.Completion nvmCtrl = identify(admin, 0x06, 0, 0x00);
                assertEquals(0, nvmCtrl.status());
                assertArrayEquals(new byte[4096], nvmCtrl.data(), "no limit beyond MDTS");
                NvmeTcpTestHost.Completion nvmNs = identify(admin, 0x05, 1, 0x00);
                assertEquals(0, nvmNs.status());
                assertArrayEquals(new byte[4096], nvmNs.data(), "no protection information, no storage tags");
                assertEquals(1 << 14 | 0x02, identify(admin, 0x05, 1, 0x02).status(), "zoned: Invalid Field");

                NvmeTcpTestHost.Completion list = identify(admin, 0x07, 0, 0x00);
                assertEquals(0, list.status());
                ByteBuffer l = ByteBuffer.wrap(list.data()).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(1, l.getInt(0));
                assertEquals(0, l.getInt(4));

                byte[] indep = identify(admin, 0x08, 1, 0).data();
                assertEquals(1, indep[1], "NMIC shared");
                assertEquals(1, indep[14], "NSTAT ready");

                byte[] desc = identify(admin, 0x03, 1, 0).data();
                assertEquals(4, desc[52], "NIDT 04h: Command Set Identifier");
                assertEquals(1, desc[53], "NIDL 1");
                assertEquals(0, desc[56], "CSI 00h: NVM");

                io.initialize(false, false);
                byte[] ioData = NvmeTcpTestHost.connectData(cntlid, NQN, NvmeTcpTestHost.HOST_NQN);
                ioData[0] ^= (byte) 0xFF; // another Host Identifier: accepted, as nvmet and SPDK accept it
                assertEquals(0, io.execute(NvmeTcpTestHost.connectSqe(io.nextCid(), 1, 127, 0), ioData, null)
                        .status());
                byte[] block = new byte[4096];
                new Random(13).nextBytes(block);
                io.write(1, 8, block, 512);
                assertArrayEquals(block, io.read(1, 8, 8, 512));
            }
        }
    }
}
