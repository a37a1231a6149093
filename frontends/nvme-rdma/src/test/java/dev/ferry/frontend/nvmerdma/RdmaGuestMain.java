package dev.ferry.frontend.nvmerdma;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs inside the initiator VM (rdma-scenario.sh): Ferry with a RAM namespace behind one NVMe subsystem with two
 * portals, {@code rdma://ADDR:PORT} on the guest's soft-RoCE device and {@code 127.0.0.1:PORT} over TCP, until the
 * stop file appears; then closes it and reports whether every queue pair was freed.
 * Arguments: NQN ADDR PORT SIZE STOP-FILE.
 */
public final class RdmaGuestMain {
    private static final long DISCONNECT_GRACE_NANOS = 15_000_000_000L;

    private RdmaGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        String nqn = args[0];
        String portal = "rdma://" + args[1] + ":" + args[2];
        String tcpPortal = "127.0.0.1:" + args[2];
        Path stop = Path.of(args[4]);
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("guest-ram", "ram", args[3], null, null, null, null, null, null, null)),
                List.of(new TargetConfig(nqn, "nvme", List.of(tcpPortal, portal), List.of(new LunConfig(1, "guest-ram")),
                        List.of(), true, null)));
        long t0 = System.nanoTime();
        TargetCore core = TargetCore.start(config);
        NvmeRdmaFrontend rdma = (NvmeRdmaFrontend) core.frontend("nvme", "rdma");
        System.out.printf("FERRY-GUEST listening %s on %s (start %.1f s)%n", nqn, rdma.boundAddresses(),
                (System.nanoTime() - t0) / 1e9);
        while (!Files.exists(stop)) {
            Thread.sleep(100);
        }
        // The host has disconnected: its queue pairs go as the DISCONNECTED/TIMEWAIT_EXIT events arrive, which
        // on a loaded emulated guest can take a few seconds.
        long deadline = System.nanoTime() + DISCONNECT_GRACE_NANOS;
        while (rdma.connectionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int open = rdma.connectionCount();
        core.close();
        System.out.println("FERRY-GUEST stopped connections-at-stop=" + open + " connections-left="
                + rdma.connectionCount());
    }
}
