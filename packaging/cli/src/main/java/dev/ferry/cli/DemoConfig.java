package dev.ferry.cli;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.util.List;

/** The configuration {@code ferry demo} serves: one RAM disk as LUN 0 of one target that admits anyone. */
final class DemoConfig {
    static final String IQN = "iqn.2026-11.dev.ferry:demo";
    static final String BACKSTORE = "demo";

    private DemoConfig() {
    }

    static FerryConfig build(String address, int port, String size) {
        String portal = address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
        BackstoreConfig ram = new BackstoreConfig(BACKSTORE, "ram", size, null, null, null, null, null, null, null);
        TargetConfig target = new TargetConfig(IQN, TargetConfig.ISCSI, List.of(portal),
                List.of(new LunConfig(0, BACKSTORE)), List.of(), true, "ferry demo");
        return new FerryConfig(List.of(ram), List.of(target));
    }
}
