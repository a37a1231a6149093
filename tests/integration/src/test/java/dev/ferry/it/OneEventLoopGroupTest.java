package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import dev.ferry.frontend.transport.SharedEventLoops;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A core serving iSCSI and NVMe/TCP at once runs every connection of both on the process's shared event loops: it
 * starts no event-loop thread of its own (before, each frontend had an accept loop and a worker group).
 */
class OneEventLoopGroupTest {
    private static final String IQN = "iqn.2026-12.dev.ferry:shared-loops";
    private static final String NQN = "nqn.2026-12.dev.ferry:shared-loops";

    @Test
    void iscsiAndNvmeTcpConnectionsRunOnTheSharedLoopsOnly() throws Exception {
        try (SharedEventLoops.Lease shared = SharedEventLoops.acquire()) {
            Set<Thread> sharedThreads = threadsOf(shared);
            Set<Thread> before = eventLoopThreads();
            TargetCore core = TargetCore.start(new FerryConfig(
                    List.of(new BackstoreConfig("shared", "ram", "1M", null, null, null, null, null, null, null)),
                    List.of(new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                                    List.of(new LunConfig(0, "shared")), List.of(), true, null),
                            new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                                    List.of(new LunConfig(1, "shared")), List.of(), true, null))));
            List<AutoCloseable> clients = new ArrayList<>();
            try {
                InetSocketAddress iscsi = core.frontend(TargetConfig.ISCSI).boundAddresses().get(0);
                InetSocketAddress nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
                // Connections are spread round-robin: twice as many as loops of each protocol reach every loop.
                for (int i = 0; i < 2 * sharedThreads.size(); i++) {
                    IscsiBlockClient c = new IscsiBlockClient(iscsi, IQN, 0);
                    clients.add(c);
                    byte[] block = new byte[BlockClient.BLOCK];
                    block[0] = (byte) i;
                    c.write(i, block, false);
                    assertArrayEquals(block, c.read(i, 1));
                    NvmeTcpTestHost host = new NvmeTcpTestHost(nvme);
                    clients.add(host);
                    host.connectAdmin(NQN, 0);
                }
                Set<Thread> added = eventLoopThreads();
                added.removeAll(before);
                added.removeAll(sharedThreads);
                assertEquals(Set.of(), names(added), "event-loop threads beside the shared ones");
            } finally {
                for (AutoCloseable c : clients) {
                    c.close();
                }
                core.close();
            }
        }
    }

    /** The threads of the shared loops (each started by the task that asks it). */
    private static Set<Thread> threadsOf(SharedEventLoops.Lease shared) throws Exception {
        Set<Thread> threads = new HashSet<>();
        for (EventExecutor loop : shared.group()) {
            threads.add(loop.submit(Thread::currentThread).get(30, TimeUnit.SECONDS));
        }
        return threads;
    }

    /** Every live thread running a Netty I/O event loop. */
    private static Set<Thread> eventLoopThreads() {
        Set<Thread> loops = new HashSet<>();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            for (StackTraceElement e : stack) {
                if (e.getClassName().equals("io.netty.channel.SingleThreadIoEventLoop") && e.getMethodName().equals("run")) {
                    loops.add(t);
                    return;
                }
            }
        });
        return loops;
    }

    private static Set<String> names(Set<Thread> threads) {
        Set<String> names = new TreeSet<>();
        threads.forEach(t -> names.add(t.getName()));
        return names;
    }
}
