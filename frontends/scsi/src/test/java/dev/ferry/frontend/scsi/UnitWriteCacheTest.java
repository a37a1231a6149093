package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.ram.RamBackend;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.unit.LogicalUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Caching mode page's WCE is the logical unit's write cache setting (core {@code WriteCache}), the one NVMe's
 * Volatile Write Cache feature changes too: MODE SELECT changes it for the unit, a change made on the unit shows in
 * MODE SENSE, and while it is off every write-class command reaches the backend with FUA.
 */
class UnitWriteCacheTest {
    /** What reached the backend: the operation and whether it had to be durable. */
    record Seen(BlockOp op, boolean fua) {
    }

    static final class RecordingBackend implements Backend {
        final RamBackend ram;
        final List<Seen> seen = new ArrayList<>();

        RecordingBackend(BackendDescriptor d) {
            ram = new RamBackend(d);
        }

        @Override
        public BackendDescriptor describe() {
            return ram.describe();
        }

        @Override
        public void execute(BlockRequest r) {
            synchronized (seen) {
                seen.add(new Seen(r.op(), r.fua()));
            }
            ram.execute(r);
        }

        Seen last() {
            synchronized (seen) {
                return seen.get(seen.size() - 1);
            }
        }

        @Override
        public void close() {
            ram.close();
        }
    }

    private final RecordingBackend backend = new RecordingBackend(TargetHarness.disk("d0", 2048));
    private final TargetHarness h = new TargetHarness(64, backend);
    private final LogicalUnit unit = h.units.get(0);

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private byte[] cachingPage() {
        byte[] d = h.run(A, 0, cdb(0x5A, 0x08, ModePages.CACHING, 0, 0, 0, 0, 0, 255, 0), 255, null)
                .assertGood().data();
        return Arrays.copyOfRange(d, 8, d.length);
    }

    private void selectWce(boolean wce) {
        byte[] page = cachingPage();
        page[0] &= 0x7F;
        page[2] = (byte) (wce ? page[2] | ModePages.WCE : page[2] & ~ModePages.WCE);
        byte[] list = new byte[8 + page.length];
        System.arraycopy(page, 0, list, 8, page.length);
        h.run(A, 0, cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, list.length, 0), list.length, list).assertGood();
    }

    private Seen write() {
        h.run(A, 0, write10(0, 1), 512, new byte[512]).assertGood();
        return backend.last();
    }

    private Seen unmap() {
        byte[] list = new byte[8 + 16];
        list[1] = 6 + 16;
        list[3] = 16;
        list[8 + 7] = 8;  // LBA 8
        list[8 + 11] = 4; // 4 blocks
        h.run(A, 0, cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), list.length, list).assertGood();
        return backend.last();
    }

    private Seen writeSameUnmap() {
        h.run(A, 0, cdb(0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 4), 512, new byte[512]).assertGood();
        return backend.last();
    }

    @Test
    void modeSelectWceOffIsTheUnitsSettingAndMakesEveryWriteDurable() {
        assertTrue(unit.writeCache().enabled());
        assertFalse(write().fua(), "cache on: a plain write may stay in the cache");
        selectWce(false);
        assertFalse(unit.writeCache().enabled(), "MODE SELECT changed the unit's setting, which NVMe reads too");
        assertEquals(new Seen(BlockOp.WRITE, true), write());
        assertTrue(unmap().fua(), "UNMAP writes the medium: durable too");
        assertTrue(writeSameUnmap().fua(), "WRITE SAME with UNMAP");
        selectWce(true);
        assertTrue(unit.writeCache().enabled());
        assertFalse(write().fua());
    }

    @Test
    void aChangeOnTheUnitShowsInModeSenseAfterModeParametersChanged() {
        assertFalse(write().fua());                     // A is a known nexus now
        Object nvmeController = new Object();
        unit.writeCache().setEnabled(false, nvmeController); // what NVMe Set Features Volatile Write Cache WCE=0 does
        h.run(A, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x01); // SPC-4 6.9.1
        assertEquals(0, cachingPage()[2] & ModePages.WCE, "MODE SENSE reports WCE=0");
        assertTrue(write().fua());
        unit.writeCache().setEnabled(true, nvmeController);
        h.run(A, 0, cdb(0x00), 0, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x01);
        assertEquals(ModePages.WCE, cachingPage()[2] & ModePages.WCE);
        assertFalse(write().fua());
        unit.writeCache().setEnabled(true, nvmeController);
        h.run(A, 0, cdb(0x00), 0, null).assertGood();  // no change, no condition
    }
}
