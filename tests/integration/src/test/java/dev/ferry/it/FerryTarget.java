package dev.ferry.it;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.unit.LogicalUnit;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Ferry running in this JVM: one iSCSI target on 127.0.0.1 and a free port, with one LUN per backstore (LUN n is
 * the n-th backstore).
 */
final class FerryTarget implements AutoCloseable {
    static final String IQN = "iqn.2026-11.dev.ferry:it";

    private final TargetCore core;
    private final int port;

    private FerryTarget(TargetCore core) {
        this.core = core;
        InetSocketAddress bound = core.frontend("iscsi").boundAddresses().get(0);
        this.port = bound.getPort();
    }

    /**
     * @param initiators initiators allowed to log in; empty admits every initiator
     */
    static FerryTarget start(List<String> initiators, BackstoreConfig... backstores) throws Exception {
        List<LunConfig> luns = new ArrayList<>();
        for (int i = 0; i < backstores.length; i++) {
            luns.add(new LunConfig(i, backstores[i].name()));
        }
        TargetConfig target = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"), luns,
                initiators.stream().map(AclConfig::new).toList(), initiators.isEmpty(), "integration test");
        return new FerryTarget(TargetCore.start(new FerryConfig(List.of(backstores), List.of(target))));
    }

    static FerryTarget start(BackstoreConfig... backstores) throws Exception {
        return start(List.of(), backstores);
    }

    static BackstoreConfig ram(String name, String size) {
        return new BackstoreConfig(name, "ram", size, null, null, null, null, null, null, null);
    }

    static BackstoreConfig ram(String name, String size, int blockSize) {
        return new BackstoreConfig(name, "ram", size, null, blockSize, null, null, null, null, null);
    }

    static BackstoreConfig file(String name, Path path, String size) {
        return new BackstoreConfig(name, "file", size, path.toString(), null, null, null, null, null, null);
    }

    int port() {
        return port;
    }

    /** {@code iscsi://127.0.0.1:PORT} (discovery). */
    String portalUrl() {
        return "iscsi://127.0.0.1:" + port;
    }

    /** {@code iscsi://127.0.0.1:PORT/IQN/LUN}. */
    String lunUrl(int lun) {
        return portalUrl() + "/" + IQN + "/" + lun;
    }

    LogicalUnit unit(String backstore) {
        return core.registry().unit(backstore);
    }

    @Override
    public void close() {
        core.close();
    }
}
