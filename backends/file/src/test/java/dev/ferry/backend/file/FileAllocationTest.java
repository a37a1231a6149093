package dev.ferry.backend.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.request.AllocationExtents;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A file backstore reports what the file system really holds (SEEK_DATA/SEEK_HOLE) after writes, UNMAP and a
 * deallocating WRITE ZEROES (hole punching), on real sparse files: in the test directory (ext4 here) and in
 * /dev/shm (tmpfs) when there is one. File system blocks are the granularity: a logical block with any data byte is
 * mapped. A file system without SEEK_HOLE reports everything mapped, and the test then skips, saying so.
 */
class FileAllocationTest {
    private static final int BS = 512;
    private static final int BLOCKS = 16384; // 8 MiB
    private static final long D = 1;
    private static final long M = 0;

    @TempDir
    static Path tempDir;

    static Stream<Path> directories() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Stream.of(tempDir, shm) : Stream.of(tempDir);
    }

    @ParameterizedTest
    @MethodSource("directories")
    void reportsWritesUnmapsAndPunchedZeroes(Path dir) throws Exception {
        Path file = Files.createTempFile(dir, "ferry-allocation", ".img");
        Files.delete(file); // the backstore creates it sparse
        try (UnitDriver disk = new UnitDriver(new FileBackendFactory().open(
                FileBackendIoTest.config(file, "8M", null)))) {
            List<long[]> fresh = disk.allocation(0, BLOCKS, 16);
            assumeTrue(fresh.size() == 1 && fresh.get(0)[1] == D,
                    "the file system of " + dir + " reports a new sparse file as data: no SEEK_HOLE support");
            int fsBlocks = (int) (Files.getFileStore(file).getBlockSize() / BS); // logical blocks per fs block
            assumeTrue(fsBlocks >= 1 && fsBlocks <= 8,
                    "a file system block larger than the 4 KiB unmapped here: " + fsBlocks * BS);
            assertExtents(List.of(new long[] {BLOCKS, D}), fresh);

            assertEquals(CompletionStatus.GOOD, disk.write(128, new byte[16 * BS]).status());
            // one logical block in the middle of a fs block maps that whole fs block
            assertEquals(CompletionStatus.GOOD, disk.write(1024 + 1, FileBackendIoTest.random(BS, 3)).status());
            assertExtents(List.of(new long[] {128, D}, new long[] {16, M}, new long[] {1024 - 144, D},
                    new long[] {fsBlocks, M}, new long[] {BLOCKS - 1024 - fsBlocks, D}),
                    disk.allocation(0, BLOCKS, 16));
            // from the middle of an extent, and stopping at the end asked for
            assertExtents(List.of(new long[] {14, M}, new long[] {6, D}), disk.allocation(130, 20, 16));
            // at most as many extents as there is room for
            assertExtents(List.of(new long[] {128, D}, new long[] {16, M}), disk.allocation(0, BLOCKS, 2));

            // UNMAP punches a hole: the blocks read back zero and are deallocated
            assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.UNMAP, 0, 0, null, r -> r.addRange(128, 8)).status());
            assertExtents(List.of(new long[] {136, D}, new long[] {8, M}), disk.allocation(0, 144, 16));
            // WRITE ZEROES that may deallocate does; one that may not keeps the blocks mapped
            assertEquals(CompletionStatus.GOOD,
                    disk.run(BlockOp.WRITE_ZEROES, 136, 8, null, r -> r.deallocate(true)).status());
            assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.WRITE_ZEROES, 200, 8, null, r -> { }).status());
            assertExtents(List.of(new long[] {200, D}, new long[] {8, M}, new long[] {792, D}),
                    disk.allocation(0, 1000, 16));
            assertArrayEquals(new byte[16 * BS], disk.read(128, 16).data());
            assertArrayEquals(FileBackendIoTest.random(BS, 3), disk.read(1025, 1).data(), "the rest is untouched");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Holes smaller than a logical block merge into one mapped extent, so the room for extents does not bound the
     * lseek calls: the number of data runs looked at does. 8 KiB "logical blocks" over 4 KiB data and 4 KiB holes.
     */
    @Test
    void subBlockHolesStopAfterMaxRounds() throws Exception {
        Path file = tempDir.resolve("half-sparse.img");
        int blocks = FileAllocation.MAX_ROUNDS + 100;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength((long) blocks * 8192);
            byte[] data = FileBackendIoTest.random(4096, 7);
            for (int i = 0; i < blocks; i++) {
                raf.seek((long) i * 8192);
                raf.write(data);
            }
        }
        assumeTrue(Files.getFileStore(file).getBlockSize() <= 4096, "file system blocks larger than 4 KiB");
        try (FileAllocation allocation = FileAllocation.open(file, false)) {
            ByteBuf out = Unpooled.buffer(16 * AllocationExtents.BYTES, 16 * AllocationExtents.BYTES);
            allocation.describe(0, blocks, 8192, out);
            assertEquals(1, AllocationExtents.count(out));
            assertEquals(FileAllocation.MAX_ROUNDS, AllocationExtents.blocks(out, 0));
            out.clear();
            allocation.describe(0, blocks, 4096, out); // at its own granularity the file alternates
            assertEquals(16, AllocationExtents.count(out));
        }
    }

    private static void assertExtents(List<long[]> want, List<long[]> got) {
        List<String> w = new ArrayList<>();
        want.forEach(e -> w.add(e[0] + (e[1] == D ? " deallocated" : " mapped")));
        List<String> g = new ArrayList<>();
        got.forEach(e -> g.add(e[0] + (e[1] == D ? " deallocated" : " mapped")));
        assertEquals(w, g);
    }
}
