package dev.ferry.cli;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.unit.UnitIdentity;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code "type": "stuck"}, test only: a backend whose {@link Backend#execute} and {@link Backend#close} never
 * return, like a device that stopped answering. It prints {@link #BLOCKED} when a request has reached it.
 */
public final class StuckBackends implements BackendFactory {
    static final String BLOCKED = "stuck-backend: a request is blocked in execute";

    @Override
    public String type() {
        return "stuck";
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        return config.size() == null ? List.of("size: needed") : List.of();
    }

    @Override
    public Backend open(BackstoreConfig config) {
        BackendDescriptor d = new BackendDescriptor(config.name(), config.sizeBytes() / 512, 512, 512, 0, 128,
                false, 1, false, false, false, false, false, false, UnitIdentity.derive(config.name(), "STUCK"));
        return new Backend() {
            @Override
            public BackendDescriptor describe() {
                return d;
            }

            @Override
            public void execute(BlockRequest request) {
                System.out.println(BLOCKED);
                System.out.flush();
                blockForever();
            }

            @Override
            public void close() {
                blockForever();
            }
        };
    }

    /** Ignores interrupts too, as a thread inside a hung system call would. */
    private static void blockForever() {
        while (true) {
            LockSupport.park();
        }
    }
}
