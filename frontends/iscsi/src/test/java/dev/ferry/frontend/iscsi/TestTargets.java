package dev.ferry.frontend.iscsi;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.net.InetSocketAddress;
import java.util.List;

/** Starts Ferry with RAM disks for tests; {@link #main} runs it by hand for real initiators. */
public final class TestTargets {
    public static final String TARGET = "iqn.2026-11.dev.ferry:test";
    public static final String LOCKED = "iqn.2026-11.dev.ferry:locked";
    public static final String ALLOWED_INITIATOR = "iqn.2026-11.dev.ferry:allowed";

    private TestTargets() {
    }

    public static FerryConfig config(int port, String size) {
        return new FerryConfig(
                List.of(new BackstoreConfig("ram0", "ram", size, null, null, null, null, null, 2, null),
                        new BackstoreConfig("ram1", "ram", "16M", null, null, null, null, null, 1, null)),
                List.of(new TargetConfig(TARGET, "iscsi", List.of("127.0.0.1:" + port),
                                List.of(new LunConfig(0, "ram0"), new LunConfig(1, "ram1")), List.of(), true, "ferry test"),
                        new TargetConfig(LOCKED, "iscsi", List.of("127.0.0.1:" + port),
                                List.of(new LunConfig(0, "ram1")), List.of(new AclConfig(ALLOWED_INITIATOR)), false, null)));
    }

    public static TargetCore start(int port) throws Exception {
        return TargetCore.start(config(port, "64M"));
    }

    public static InetSocketAddress address(TargetCore core) {
        return core.frontend("iscsi").boundAddresses().get(0);
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
        try (TargetCore core = TargetCore.start(config(port, args.length > 2 ? args[2] : "64M"))) {
            System.out.println("LISTENING " + address(core));
            Thread.sleep(seconds * 1000);
        }
    }
}
