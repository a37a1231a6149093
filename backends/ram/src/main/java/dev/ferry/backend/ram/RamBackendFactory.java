package dev.ferry.backend.ram;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.UnitIdentity;
import java.util.ArrayList;
import java.util.List;

/** {@code "type": "ram"}: a sparse in-memory disk of {@code size} bytes. */
public final class RamBackendFactory implements BackendFactory {
    /** Largest request handed to the backend in one piece: 8 MiB. */
    private static final int MAX_TRANSFER_BYTES = 8 << 20;

    @Override
    public String type() {
        return "ram";
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.size() == null) {
            problems.add("size: a ram backstore needs a size (e.g. \"1G\")");
        }
        if (config.path() != null) {
            problems.add("path: a ram backstore has no path");
        }
        return problems;
    }

    @Override
    public Backend open(BackstoreConfig config) {
        return new RamBackend(describe(config));
    }

    static BackendDescriptor describe(BackstoreConfig c) {
        int bs = c.blockSizeOrDefault();
        return new BackendDescriptor(c.name(), c.sizeBytes() / bs, bs, c.physicalBlockSizeOrDefault(),
                0, MAX_TRANSFER_BYTES / bs, true, 1, true, true, false, false, false, c.readOnlyOrDefault(),
                UnitIdentity.derive(c.identitySeedOrName(), "RAM DISK")).reportingAllocation();
    }
}
