package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.ram.RamBackend;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitIdentity;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Volatile Write Cache feature (Base 2.0 5.27.1.4) is the logical unit's write cache setting, shared with
 * SCSI's WCE: Set Features WCE=0 switches the unit's cache off, after which every write-class command (Write,
 * Write Zeroes, Dataset Management deallocate, fused Compare and Write) reaches the backend with FUA; a change made
 * on the unit (as SCSI MODE SELECT does) shows in Get Features. A fused Compare and Write keeps the Write's FUA bit.
 */
class UnitWriteCacheTest {
    private static final int VOLATILE_WRITE_CACHE = 0x06;
    /** Write CDW12 bit 30 (NVM Command Set 1.0 Figure 57). */
    private static final int FUA = 1 << 30;

    record Seen(BlockOp op, boolean fua) {
    }

    /** A RAM disk that reports a volatile write cache and records what reaches it. */
    static final class RecordingBackend implements Backend {
        final RamBackend ram = new RamBackend(new BackendDescriptor("disk0", 2048, 512, 4096, 0, 2048, true, 1,
                true, true, true, true, false, false, UnitIdentity.derive("disk0", "RAM DISK")));
        final List<Seen> seen = new ArrayList<>();

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

    private final RecordingBackend backend = new RecordingBackend();

    private ModelHarness harness() throws Exception {
        ModelHarness h = new ModelHarness();
        LogicalUnit u = new LogicalUnit(backend, 1);
        u.start();
        h.units.put("disk0", u);
        h.publish(1);
        return h;
    }

    private static ByteBuffer setFeature(int fid, int cdw11) {
        ByteBuffer b = ModelHarness.sqe(0x09, 0);
        b.putInt(40, fid).putInt(44, cdw11);
        return b;
    }

    private static ByteBuffer getFeature(int fid) {
        ByteBuffer b = ModelHarness.sqe(0x0A, 0);
        b.putInt(40, fid);
        return b;
    }

    private Seen write(ModelHarness.FakeQueue io, int cdw12Flags) throws Exception {
        ByteBuffer w = IoCommandsTest.rw(0x01, 1, 0, 1);
        w.putInt(48, cdw12Flags);
        assertEquals(0, io.run(w, new byte[512]).status());
        return backend.last();
    }

    private Seen writeZeroes(ModelHarness.FakeQueue io) throws Exception {
        ByteBuffer wz = ModelHarness.sqe(0x08, 1);
        wz.putLong(40, 8).putInt(48, 3);
        assertEquals(0, io.run(wz, null).status());
        return backend.last();
    }

    private Seen deallocate(ModelHarness.FakeQueue io) throws Exception {
        ByteBuffer dsm = ModelHarness.withSgl(ModelHarness.sqe(0x09, 1), 16);
        dsm.putInt(40, 0).putInt(44, 1 << 2);
        ByteBuffer range = ModelHarness.le(new byte[16]);
        range.putInt(4, 8).putLong(8, 16);
        assertEquals(0, io.run(dsm, range.array()).status());
        return backend.last();
    }

    /** Compare (FUSE first) of LBA 0 against zeroes, then Write (FUSE second) with these CDW12 flags. */
    private Seen compareAndWrite(ModelHarness.FakeQueue io, int writeFlags) throws Exception {
        ByteBuffer compare = IoCommandsTest.rw(0x05, 1, 40, 1);
        compare.put(1, (byte) 0x41);
        ByteBuffer write = IoCommandsTest.rw(0x01, 1, 40, 1);
        write.put(1, (byte) 0x42).putShort(2, (short) 2).putInt(48, writeFlags);
        io.submit(compare, new byte[512]);
        io.submit(write, new byte[512]);
        assertEquals(0, io.next().status());
        assertEquals(0, io.next().status());
        Seen s = backend.last();
        assertEquals(BlockOp.COMPARE_AND_WRITE, s.op());
        return s;
    }

    @Test
    void setFeaturesWceOffMakesEveryWriteDurableAndIsTheUnitsSetting() throws Exception {
        try (ModelHarness h = harness()) {
            ModelHarness.FakeQueue admin = h.admin(0);
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            LogicalUnit unit = h.units.get("disk0");
            assertEquals(1, admin.run(getFeature(VOLATILE_WRITE_CACHE), null).result() & 1);
            assertFalse(write(io, 0).fua(), "cache on: a plain write may stay in the cache");
            assertFalse(compareAndWrite(io, 0).fua());
            assertTrue(compareAndWrite(io, FUA).fua(), "the fused Write's FUA reaches the backend");

            assertEquals(0, admin.run(setFeature(VOLATILE_WRITE_CACHE, 0), null).status());
            assertFalse(unit.writeCache().enabled(), "the unit's setting, which SCSI MODE SENSE reports");
            assertEquals(0, admin.run(getFeature(VOLATILE_WRITE_CACHE), null).result() & 1);
            assertEquals(new Seen(BlockOp.WRITE, true), write(io, 0));
            assertEquals(new Seen(BlockOp.WRITE_ZEROES, true), writeZeroes(io));
            assertEquals(new Seen(BlockOp.UNMAP, true), deallocate(io));
            assertTrue(compareAndWrite(io, 0).fua());

            assertEquals(0, admin.run(setFeature(VOLATILE_WRITE_CACHE, 1), null).status());
            assertTrue(unit.writeCache().enabled());
            assertFalse(write(io, 0).fua());
        }
    }

    @Test
    void aChangeOnTheUnitShowsInGetFeatures() throws Exception {
        try (ModelHarness h = harness()) {
            ModelHarness.FakeQueue admin = h.admin(0);
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            h.units.get("disk0").writeCache().setEnabled(false, "a SCSI nexus"); // what SCSI MODE SELECT WCE=0 does
            assertEquals(0, admin.run(getFeature(VOLATILE_WRITE_CACHE), null).result() & 1);
            assertTrue(write(io, 0).fua());
        }
    }
}
