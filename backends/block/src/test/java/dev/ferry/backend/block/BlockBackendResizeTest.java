package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block backstore follows its device's size when re-read: a real loop device whose backing file an admin grew
 * and then refreshed with {@code losetup -c}, as after growing an LV.
 */
class BlockBackendResizeTest {
    private static final long SIZE = 8 << 20;

    @TempDir
    Path dir;

    private static BackstoreConfig config(Path path, String size) {
        return new BackstoreConfig("blk", "block", size, path.toString(), null, null, null, null, 2, null);
    }

    @Test
    void rereadingFollowsAGrownLoopDevice() throws Exception {
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("disk.img"), SIZE);
             UnitDriver u = new UnitDriver(new BlockBackendFactory().open(config(loop.node, null)))) {
            byte[] data = new byte[4096];
            new Random(6).nextBytes(data);
            assertEquals(CompletionStatus.GOOD, u.run(BlockOp.WRITE, 0, 8, Unpooled.wrappedBuffer(data), false).status());
            long oldEnd = SIZE / 512;
            assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(u, oldEnd));
            assertEquals(oldEnd, u.unit.rereadCapacity().capacityBlocks(), "nothing changed yet");

            try (RandomAccessFile f = new RandomAccessFile(loop.backing.toFile(), "rw")) {
                f.setLength(2 * SIZE);
            }
            assertEquals(oldEnd, u.unit.rereadCapacity().capacityBlocks(), "the loop device has not looked yet");
            LoopDevice.run(List.of("losetup", "-c", loop.node.toString()));

            assertEquals(2 * oldEnd, u.unit.rereadCapacity().capacityBlocks());
            assertEquals(CompletionStatus.GOOD, write(u, oldEnd));
            assertEquals(CompletionStatus.GOOD, write(u, 2 * oldEnd - 1));
            assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(u, 2 * oldEnd));
            ByteBuf back = Unpooled.directBuffer(4096);
            assertEquals(CompletionStatus.GOOD, u.run(BlockOp.READ, 0, 8, back, false).status());
            assertArrayEquals(data, ByteBufUtil.getBytes(back), "the data before the old end is still there");
            back.release();
        }
    }

    @Test
    void aConfiguredSizeChangesOnlyWhenGivenAndMustFitTheDevice() throws Exception {
        try (LoopDevice loop = LoopDevice.attach(dir.resolve("disk.img"), SIZE);
             UnitDriver u = new UnitDriver(new BlockBackendFactory().open(config(loop.node, "4M")))) {
            BackendException e = assertThrows(BackendException.class, u.unit::rereadCapacity);
            assertTrue(e.getMessage().contains("give the new size"), e.getMessage());
            assertEquals(6 << 11, u.unit.resize(6 << 20).capacityBlocks());
            e = assertThrows(BackendException.class, () -> u.unit.resize(SIZE + 512));
            assertTrue(e.getMessage().contains("do not fit the device (" + SIZE + " bytes)"), e.getMessage());
            assertEquals(6 << 11, u.unit.descriptor().capacityBlocks());
        }
    }

    private static CompletionStatus write(UnitDriver u, long lba) throws Exception {
        return u.run(BlockOp.WRITE, lba, 1, Unpooled.wrappedBuffer(new byte[512]), false).status();
    }
}
