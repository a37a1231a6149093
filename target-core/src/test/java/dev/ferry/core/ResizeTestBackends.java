package dev.ferry.core;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.unit.UnitIdentity;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code "type": "sized"}: a backend that only has a size, for the core's resize path; counts its opens. */
public final class ResizeTestBackends implements BackendFactory {
    static final AtomicInteger OPENS = new AtomicInteger();

    @Override
    public String type() {
        return "sized";
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        return config.size() == null ? List.of("size: needed") : List.of();
    }

    @Override
    public Backend open(BackstoreConfig config) {
        OPENS.incrementAndGet();
        return new Backend() {
            private volatile BackendDescriptor d = ResizeTestBackends.describe(config.name(), config.sizeBytes());

            @Override
            public BackendDescriptor describe() {
                return d;
            }

            @Override
            public BackendDescriptor resize(long capacityBytes) {
                d = ResizeTestBackends.describe(d.name(), capacityBytes);
                return d;
            }

            @Override
            public void execute(BlockRequest r) {
                r.complete(CompletionStatus.GOOD);
            }

            @Override
            public void close() {
            }
        };
    }

    private static BackendDescriptor describe(String name, long bytes) {
        return new BackendDescriptor(name, bytes / 512, 512, 4096, 0, 128, false, 1, false, false, false, false,
                false, false, UnitIdentity.derive(name, "TEST"));
    }
}
