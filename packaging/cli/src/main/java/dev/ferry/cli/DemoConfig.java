package dev.ferry.cli;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.util.List;

/**
 * The configuration {@code ferry demo} serves: one RAM disk, as LUN 0 of an iSCSI target and as namespace 1 of an
 * NVMe subsystem, both admitting anyone. The same backstore behind both shows the core is protocol-neutral.
 */
final class DemoConfig {
    static final String IQN = "iqn.2026-11.dev.ferry:demo";
    static final String NQN = "nqn.2026-11.dev.ferry:demo";
    static final String BACKSTORE = "demo";

    private DemoConfig() {
    }

    /** @param nvmePort NVMe/TCP port, or -1 to serve iSCSI only */
    static FerryConfig build(String address, int iscsiPort, int nvmePort, String size) {
        BackstoreConfig ram = new BackstoreConfig(BACKSTORE, "ram", size, null, null, null, null, null, null, null);
        TargetConfig target = new TargetConfig(IQN, TargetConfig.ISCSI, List.of(portal(address, iscsiPort)),
                List.of(new LunConfig(0, BACKSTORE)), List.of(), true, "ferry demo");
        if (nvmePort < 0) {
            return new FerryConfig(List.of(ram), List.of(target));
        }
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of(portal(address, nvmePort)),
                List.of(new LunConfig(1, BACKSTORE)), List.of(), true, null);
        return new FerryConfig(List.of(ram), List.of(target, subsystem));
    }

    private static String portal(String address, int port) {
        return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
