package dev.ferry.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.unit.LogicalUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TargetCore#apply} resizes a backstore whose configuration changed in its size only: the same unit stays
 * open (a RAM disk keeps its data) and capacity listeners hear of it; a shrink must be allowed explicitly.
 */
class TargetCoreResizeTest {
    private final List<LogicalUnit> told = new CopyOnWriteArrayList<>();
    private TargetCore core;

    private static FerryConfig config(String size) {
        return new FerryConfig(List.of(new BackstoreConfig("d", "sized", size, null, null, null, null, null, null,
                null)), List.of(), null);
    }

    private TargetCore start(String size) throws Exception {
        core = TargetCore.start(config(size));
        core.registry().addCapacityListener(told::add);
        return core;
    }

    @AfterEach
    void close() {
        core.close();
    }

    @Test
    void aSizeOnlyChangeResizesTheOpenUnit() throws Exception {
        start("1M");
        LogicalUnit unit = core.registry().unit("d");
        int opens = ResizeTestBackends.OPENS.get();

        core.apply(config("3M"));
        assertSame(unit, core.registry().unit("d"), "not reopened");
        assertEquals(opens, ResizeTestBackends.OPENS.get());
        assertEquals(3 << 20, unit.descriptor().capacityBytes());
        assertEquals(List.of(unit), told);
        assertEquals("3M", core.config().backstores().get(0).size());

        core.apply(config("3072K")); // the same capacity written another way: nothing to tell
        assertEquals(1, told.size());
    }

    @Test
    void aShrinkIsRefusedUnlessAllowed() throws Exception {
        start("4M");
        LogicalUnit unit = core.registry().unit("d");
        ConfigException e = assertThrows(ConfigException.class, () -> core.apply(config("2M")));
        assertEquals(List.of("backstores[0].size: 2M would shrink backstore d from 4194304 to 2097152 bytes and lose"
                + " the data past the new end; a shrink must be asked for explicitly (ferry backstore resize d 2M"
                + " --allow-shrink)"), e.problems());
        assertEquals(4 << 20, unit.descriptor().capacityBytes());
        assertEquals("4M", core.config().backstores().get(0).size());
        assertTrue(told.isEmpty());

        core.apply(config("2M"), true);
        assertSame(unit, core.registry().unit("d"));
        assertEquals(2 << 20, unit.descriptor().capacityBytes());
        assertEquals(List.of(unit), told);
    }

    @Test
    void rereadingIsForBackendsWithTheirOwnSize() throws Exception {
        start("1M");
        BackendException e = assertThrows(BackendException.class, () -> core.rereadCapacity("d"));
        assertEquals("backstore d cannot re-read its size live", e.getMessage());
        assertThrows(ConfigException.class, () -> core.rereadCapacity("nosuch"));
    }
}
