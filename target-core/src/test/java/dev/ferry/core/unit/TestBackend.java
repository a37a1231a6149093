package dev.ferry.core.unit;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import java.util.function.Consumer;

/** A backend of 100 blocks of 512 bytes that hands each request to {@code seen} and completes it GOOD. */
final class TestBackend implements Backend {
    private final BackendDescriptor descriptor;
    private final Consumer<BlockRequest> seen;

    TestBackend(String name, boolean readOnly, boolean reportsAllocation, Consumer<BlockRequest> seen) {
        BackendDescriptor d = new BackendDescriptor(name, 100, 512, 4096, 0, 128, true, 1, true, true, false, false,
                false, readOnly, UnitIdentity.derive(name, "TEST"));
        this.descriptor = reportsAllocation ? d.reportingAllocation() : d;
        this.seen = seen;
    }

    /** A started unit with one worker over such a backend. */
    static LogicalUnit startedUnit(String name, boolean readOnly, boolean reportsAllocation,
            Consumer<BlockRequest> seen) {
        LogicalUnit u = new LogicalUnit(new TestBackend(name, readOnly, reportsAllocation, seen), 1);
        u.start();
        return u;
    }

    @Override
    public BackendDescriptor describe() {
        return descriptor;
    }

    @Override
    public void execute(BlockRequest r) {
        seen.accept(r);
        r.complete(CompletionStatus.GOOD);
    }

    @Override
    public void close() {
    }
}
