package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.frontend.nvme.admin.IdentifyNamespace;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * NVMe Copy (19h) with source range entries of format 0 written byte by byte from NVM Command Set 1.0 3.3.1: data
 * lands after each other at SDLBA, overlaps copy as if read first, and every limit the Identify data advertises
 * (MSRC, MSSRL, MCL) is enforced with Command Size Limit Exceeded before anything is copied.
 */
class CopyCommandTest {
    private static final int BS = 512;
    private static final int COMMAND_SIZE_LIMIT_EXCEEDED = 0x4183;

    /** A Copy of {@code ranges} entries (each {slba, blocks}) to {@code sdlba}; CDW12 gets {@code extra} too. */
    static ByteBuffer copy(long sdlba, int rangeCount, int extra) {
        ByteBuffer b = ModelHarness.withSgl(ModelHarness.sqe(0x19, 1), rangeCount * 32);
        b.putLong(40, sdlba).putInt(48, (rangeCount - 1) | extra);
        return b;
    }

    static byte[] entries(long[]... ranges) {
        ByteBuffer b = ModelHarness.le(new byte[ranges.length * 32]);
        for (int i = 0; i < ranges.length; i++) {
            b.putLong(i * 32 + 8, ranges[i][0]).putShort(i * 32 + 16, (short) (ranges[i][1] - 1));
        }
        return b.array();
    }

    static byte[] pattern(int bytes, int seed) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (i * 13 + seed + (i >>> 9));
        }
        return b;
    }

    @Test
    void rangesLandOneAfterAnotherAtTheDestination() throws Exception {
        try (ModelHarness h = new ModelHarness(BS)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            byte[] a = pattern(8 * BS, 1);
            byte[] b = pattern(4 * BS, 2);
            assertEquals(0, io.run(IoCommandsTest.rw(0x01, 1, 0, 8), a).status());
            assertEquals(0, io.run(IoCommandsTest.rw(0x01, 1, 100, 4), b).status());
            assertEquals(0, io.run(copy(500, 2, 0), entries(new long[]{0, 8}, new long[]{100, 4})).status());
            byte[] both = Arrays.copyOf(a, 12 * BS);
            System.arraycopy(b, 0, both, 8 * BS, 4 * BS);
            assertArrayEquals(both, io.run(IoCommandsTest.rw(0x02, 1, 500, 12), null).data());

            byte[] c = pattern(16 * BS, 3);
            assertEquals(0, io.run(IoCommandsTest.rw(0x01, 1, 1000, 16), c).status());
            assertEquals(0, io.run(copy(1008, 1, 1 << 30), entries(new long[]{1000, 16})).status(), "FUA, overlap");
            assertArrayEquals(c, io.run(IoCommandsTest.rw(0x02, 1, 1008, 16), null).data());
        }
    }

    @Test
    void limitsAndFieldsAreCheckedBeforeAnythingIsCopied() throws Exception {
        try (ModelHarness h = new ModelHarness(BS)) {
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            byte[] before = io.run(IoCommandsTest.rw(0x02, 1, 0, 16), null).data();
            assertEquals(COMMAND_SIZE_LIMIT_EXCEEDED, io.run(copy(0, 17, 0), new byte[17 * 32]).status(),
                    "more ranges than MSRC + 1");
            assertEquals(COMMAND_SIZE_LIMIT_EXCEEDED, io.run(copy(0, 1, 0), entries(new long[]{0, 65536})).status(),
                    "a range longer than MSSRL");
            assertEquals(COMMAND_SIZE_LIMIT_EXCEEDED, io.run(copy(0, 3, 0), entries(new long[]{0, 65535},
                    new long[]{0, 65535}, new long[]{0, 65535})).status(), "more than MCL in all");
            assertEquals(0x4080, io.run(copy(0, 1, 0), entries(new long[]{2040, 16})).status(), "source beyond");
            assertEquals(0x4080, io.run(copy(2040, 2, 0), entries(new long[]{0, 4}, new long[]{4, 8})).status(),
                    "destination of the second range beyond");
            assertEquals(0x4080, io.run(copy(0, 1, 0), entries(new long[]{-1L, 1})).status(), "negative SLBA");
            assertEquals(0x4002, io.run(copy(0, 1, 1 << 8), entries(new long[]{0, 1})).status(), "format 1");
            ByteBuffer shortList = copy(0, 2, 0);
            shortList.putInt(32, 32);
            assertEquals(0x400F, io.run(shortList, new byte[32]).status(), "SGL shorter than the range list");
            assertArrayEquals(before, io.run(IoCommandsTest.rw(0x02, 1, 0, 16), null).data(), "nothing written");
        }
    }

    @Test
    void identifyAndTheEffectsLogAdvertiseCopy() throws Exception {
        try (ModelHarness h = new ModelHarness(BS)) {
            ByteBuf id = IdentifyNamespace.build(h.units.get("disk0").descriptor(), false);
            assertEquals(0xFFFF, id.getUnsignedShortLE(74), "MSSRL");
            assertEquals((64 << 20) / BS, id.getIntLE(76), "MCL: 64 MiB");
            assertEquals(15, id.getUnsignedByte(80), "MSRC: 16 ranges, 0's based");
            ModelHarness.FakeQueue admin = h.admin(0);
            ByteBuffer effects = ModelHarness.le(admin.run(ModelHarness.getLogPage(0x05, 4096, false), null).data());
            assertEquals(3, effects.getInt(1024 + 4 * 0x19), "Copy supported, changes LBA content");
        }
    }
}
