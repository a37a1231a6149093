package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import dev.ferry.frontend.transport.SharedEventLoops;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing the NVMe/TCP frontend while its event loops are stuck (a handler that never returns) ends: the close of
 * the connections and the termination of the loops are waited for with bounds, not forever.
 */
class StuckLoopCloseTest {
    static final String NQN = "nqn.2026-12.dev.ferry:stuck-loop";

    @Test
    void closeEndsWhileEveryEventLoopIsStuck() throws Exception {
        TargetCore core = TargetCore.start(new FerryConfig(
                List.of(new BackstoreConfig("r", "ram", "1M", null, null, null, null, null, null, null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "r")),
                        List.of(new AclConfig(NvmeTcpTestHost.HOST_NQN)), false, null)), null));
        CountDownLatch release = new CountDownLatch(1);
        try (NvmeTcpTestHost host = new NvmeTcpTestHost(core.frontend("nvme").boundAddresses().get(0))) {
            host.connectAdmin(NQN, 0); // a live connection, whose close must run on its (stuck) loop
            CountDownLatch stuck = block(workerLoops((NvmeTcpFrontend) core.frontend("nvme")), release);
            assertTrue(stuck.await(60, TimeUnit.SECONDS), "the loops did not take the blocking task");
            // The safety net is far beyond the frontend's own bounds; what is asserted is that close returns.
            assertTimeoutPreemptively(Duration.ofSeconds(120), core::close);
        } finally {
            release.countDown();
        }
    }

    /** The shared loops the frontend serves on, through its lease, which it keeps to itself. */
    private static EventLoopGroup workerLoops(NvmeTcpFrontend frontend) throws ReflectiveOperationException {
        Field f = NvmeTcpFrontend.class.getDeclaredField("loops");
        f.setAccessible(true);
        return ((SharedEventLoops.Lease) f.get(frontend)).group();
    }

    /** Makes every loop of {@code group} run a task that waits for {@code release}; counts down as each starts. */
    private static CountDownLatch block(EventLoopGroup group, CountDownLatch release) {
        List<EventExecutor> loops = new java.util.ArrayList<>();
        group.forEach(loops::add);
        CountDownLatch started = new CountDownLatch(loops.size());
        for (EventExecutor loop : loops) {
            loop.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        return started;
    }
}
