package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.B;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A live resize of a unit: each I_T nexus gets CAPACITY DATA HAS CHANGED once on every LUN mapping the unit, and
 * READ CAPACITY and the range checks then use the new size.
 */
class CapacityChangeTest {
    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048), TargetHarness.disk("d1", 2048));

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static byte[] readCapacity16() {
        return cdb(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
    }

    private static long lastLba(byte[] rc16) {
        return java.nio.ByteBuffer.wrap(rc16).getLong(0);
    }

    @Test
    void everyNexusIsToldOnEveryLunOfTheUnitAndSeesTheNewSize() throws Exception {
        LogicalUnit d0 = h.units.get(0);
        TreeMap<Long, LogicalUnit> map = new TreeMap<>(h.target.export().units());
        map.put(5L, d0); // the same backstore twice: both LUNs change
        h.target = h.target.successor(new Export(h.target.export().name(), "iscsi", null, List.of(), map, Set.of(),
                true));
        for (ItNexus n : List.of(A, B)) {
            for (long lun : List.of(0L, 1L, 5L)) {
                h.run(n, lun, cdb(0x00), 0, null); // known nexus; clears REPORTED LUNS DATA HAS CHANGED
            }
        }
        assertEquals(2047, lastLba(h.run(A, 0, readCapacity16(), 32, null).assertGood().data()));
        h.run(A, 0, write10(2048, 1), 512, new byte[512]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);

        d0.resize(4096 * 512L);
        h.target.capacityChanged(d0);

        for (ItNexus n : List.of(A, B)) {
            for (long lun : List.of(0L, 5L)) {
                h.run(n, lun, readCapacity16(), 32, null).assertCheck(SenseData.UNIT_ATTENTION, 0x2A, 0x09);
                assertEquals(4095, lastLba(h.run(n, lun, readCapacity16(), 32, null).assertGood().data()));
            }
            h.run(n, 1, cdb(0x00), 0, null).assertGood(); // another unit: nothing to tell
        }
        h.run(A, 0, write10(4095, 1), 512, new byte[512]).assertGood();
        h.run(A, 0, write10(4096, 1), 512, new byte[512]).assertCheck(SenseData.ILLEGAL_REQUEST, 0x21, 0x00);
    }
}
