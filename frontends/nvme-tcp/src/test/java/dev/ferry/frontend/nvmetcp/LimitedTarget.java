package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A 16 MiB RAM namespace (4 KiB blocks) served by an {@link NvmeTcpFrontend} with the given limits on ONE event
 * loop, so that every connection of a test shares the loop a hostile one could stall. The registry comes from a
 * {@link TargetCore}, whose own NVMe/TCP frontend listens elsewhere and stays idle.
 */
final class LimitedTarget implements AutoCloseable {
    static final String NQN = "nqn.2024-01.dev.ferry:limits";
    static final int BLOCK_SIZE = 4096;
    static final TcpLimits LIMITS = new TcpLimits(Duration.ofSeconds(30), Duration.ofSeconds(1), 64 * 1024);

    final TargetCore core;
    final NvmeTcpFrontend frontend;
    final InetSocketAddress address;

    LimitedTarget(TcpLimits limits) throws Exception {
        core = TargetCore.start(new FerryConfig(
                List.of(new BackstoreConfig("limits", "ram", "16M", null, BLOCK_SIZE, null, null, null, null, null,
                        null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "limits")),
                        List.of(new AclConfig(NvmeTcpTestHost.HOST_NQN)), false, null)),
                null));
        frontend = new NvmeTcpFrontend(core.registry(), limits, 1);
        frontend.start();
        address = frontend.boundAddresses().get(0);
    }

    /** An admin queue (SQSIZE 31, KATO off) plus one I/O queue of {@code sqsize} + 1 entries on {@code io}. */
    NvmeTcpTestHost ioQueue(NvmeTcpTestHost admin, NvmeTcpTestHost io, int sqsize) throws IOException {
        int cntlid = admin.connectAdmin(NQN, 0);
        io.connectIo(NQN, cntlid, 1, sqsize);
        return io;
    }

    /** Ferry's end of a host's connection, or null once it is closed. */
    Channel channelOf(NvmeTcpTestHost host) {
        return frontend.connections().stream().filter(ch -> host.localAddress().equals(ch.remoteAddress()))
                .findFirst().orElse(null);
    }

    /** Bytes written to a host's connection that its socket has not taken yet (0 once closed). */
    long pendingOutboundBytes(NvmeTcpTestHost host) {
        Channel ch = channelOf(host);
        ChannelOutboundBuffer out = ch == null ? null : ch.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    @Override
    public void close() {
        frontend.close();
        core.close();
    }
}
