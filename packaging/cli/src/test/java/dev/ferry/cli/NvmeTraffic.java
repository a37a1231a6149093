package dev.ferry.cli;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A running target with one NVMe/TCP subsystem on a RAM backstore and a connected host (admin and one I/O queue)
 * that moves data on demand: real requests for the status and metrics figures.
 */
public final class NvmeTraffic implements AutoCloseable {
    public static final String NQN = "nqn.2024-01.dev.ferry:status";
    public static final String BACKSTORE = "disk0";
    public static final int BLOCK = 512;

    public final TargetCore core;
    public final NvmeTcpTestHost admin;
    public final NvmeTcpTestHost io;
    public final int cntlid;

    public NvmeTraffic() throws Exception {
        core = TargetCore.start(new FerryConfig(
                List.of(new BackstoreConfig(BACKSTORE, "ram", "1M", null, null, null, null, null, null, null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, BACKSTORE)),
                        List.of(new AclConfig(NvmeTcpTestHost.HOST_NQN)), false, null)), null));
        InetSocketAddress at = core.frontend("nvme").boundAddresses().get(0);
        admin = new NvmeTcpTestHost(at);
        io = new NvmeTcpTestHost(at);
        cntlid = admin.connectAdmin(NQN, 0);
        io.connectIo(NQN, cntlid, 1, 31);
    }

    /** Writes and then reads {@code count} 4 KiB blocks. */
    public void writeAndRead(int count) throws IOException {
        byte[] data = new byte[4096];
        for (int i = 0; i < count; i++) {
            io.write(1, 8L * i, data, BLOCK);
        }
        for (int i = 0; i < count; i++) {
            io.read(1, 8L * i, 8, BLOCK);
        }
    }

    @Override
    public void close() throws IOException {
        io.close();
        admin.close();
        core.close();
    }
}
