package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The NVM command set against a RAM backstore, with the statuses of NVM Command Set 1.0 Figure 16. */
class IoCommandsTest {

    static ByteBuffer rw(int opcode, long nsid, long lba, int blocks) {
        ByteBuffer b = ModelHarness.withSgl(ModelHarness.sqe(opcode, nsid), blocks * 512);
        b.putLong(40, lba).putInt(48, blocks - 1);
        return b;
    }

    static ModelHarness.FakeQueue io(ModelHarness h) throws Exception {
        ModelHarness.FakeQueue admin = h.admin(0);
        ModelHarness.FakeQueue io = h.queue();
        io.run(ModelHarness.connect(1, 127, 0), ModelHarness.connectData(h.cntlid(admin), ModelHarness.NQN,
                ModelHarness.HOST));
        return io;
    }

    @Test
    void writeZeroesAndDeallocateReadBackZeroes() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue io = io(h);
            byte[] ones = new byte[4096];
            Arrays.fill(ones, (byte) 1);
            assertEquals(0, io.run(rw(0x01, 1, 0, 8), ones).status());
            assertEquals(0, io.run(rw(0x01, 1, 16, 8), ones).status());

            ByteBuffer wz = ModelHarness.sqe(0x08, 1);
            wz.putLong(40, 0).putInt(48, 3 | 1 << 25); // 4 blocks, DEAC
            assertEquals(0, io.run(wz, null).status());

            ByteBuffer dsm = ModelHarness.withSgl(ModelHarness.sqe(0x09, 1), 16);
            dsm.putInt(40, 0).putInt(44, 1 << 2); // one range, AD
            ByteBuffer range = ModelHarness.le(new byte[16]);
            range.putInt(4, 8).putLong(8, 16);
            assertEquals(0, io.run(dsm, range.array()).status());

            byte[] expected = ones.clone();
            Arrays.fill(expected, 0, 2048, (byte) 0);
            assertArrayEquals(expected, io.run(rw(0x02, 1, 0, 8), null).data());
            assertArrayEquals(new byte[4096], io.run(rw(0x02, 1, 16, 8), null).data());
        }
    }

    @Test
    void statusesFromParsingAndFromTheCore() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            h.addUnit("ro", 512, true);
            h.registry.replace(h.units, java.util.List.of(new dev.ferry.core.unit.Export(ModelHarness.NQN, "nvme",
                    null, h.portals, new java.util.TreeMap<>(java.util.Map.of(1L, h.units.get("disk0"),
                    2L, h.units.get("ro"))), java.util.Set.of(ModelHarness.HOST), false)));
            ModelHarness.FakeQueue io = io(h);
            assertEquals(0x4080, io.run(rw(0x02, 1, 2047, 2), null).status(), "LBA Out of Range");
            assertEquals(0x400B, io.run(rw(0x02, 5, 0, 1), null).status(), "Invalid Namespace");
            assertEquals(0x4020, io.run(rw(0x01, 2, 0, 1), new byte[512]).status(), "Namespace Is Write Protected");
            ByteBuffer short_ = rw(0x01, 1, 0, 2);
            short_.putInt(32, 512);
            assertEquals(0x400F, io.run(short_, new byte[512]).status(), "Data SGL Length Invalid");
            ByteBuffer prp = rw(0x02, 1, 0, 1);
            prp.put(1, (byte) 0);
            assertEquals(0x4002, io.run(prp, null).status(), "PRPs are invalid on fabrics");
            ByteBuffer tooBig = ModelHarness.withSgl(ModelHarness.sqe(0x02, 1), 2048 * 512);
            tooBig.putLong(40, 0).putInt(48, 2047);
            assertEquals(0x4002, io.run(tooBig, null).status(), "beyond MDTS");
            assertEquals(0x4001, io.run(ModelHarness.sqe(0x7E, 1), null).status(), "Invalid Command Opcode");
            assertEquals(0, io.run(ModelHarness.sqe(0x00, 1), null).status(), "Flush");
            assertEquals(0x400B, io.run(ModelHarness.sqe(0x00, 0xFFFFFFFFL), null).status(),
                    "Flush to all namespaces is not supported (VWC bits 2:1 = 10b)");
            byte[] data = new byte[512];
            data[0] = 9;
            io.run(rw(0x01, 1, 3, 1), data);
            assertEquals(0x4285, io.run(rw(0x05, 1, 3, 1), new byte[512]).status(), "Compare Failure");
            assertEquals(0, io.run(rw(0x05, 1, 3, 1), data).status());
        }
    }
}
