package dev.ferry.backend.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every block operation against a real file, through the core's unit and completion queue. */
class FileBackendIoTest {
    private static final int BS = 512;
    private static final long BLOCKS = 8192; // 4 MiB

    @TempDir
    Path dir;
    private Path file;
    private UnitDriver disk;

    @BeforeEach
    void open() throws Exception {
        file = dir.resolve("disk.img");
        disk = new UnitDriver(new FileBackendFactory().open(config(file, "4M", null)));
    }

    @AfterEach
    void close() throws Exception {
        disk.close();
    }

    static BackstoreConfig config(Path path, String size, Boolean readOnly) {
        return new BackstoreConfig("d", "file", size, path.toString(), null, null, readOnly, null, null, null);
    }

    static byte[] random(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void writtenBlocksReadBackAndLandInTheFileAtTheirOffset() throws Exception {
        byte[] data = random(64 * BS, 1);
        assertEquals(CompletionStatus.GOOD, disk.write(100, data).status());

        UnitDriver.Result read = disk.read(100, 64);
        assertEquals(CompletionStatus.GOOD, read.status());
        assertArrayEquals(data, read.data());
        byte[] onDisk = Arrays.copyOfRange(Files.readAllBytes(file), 100 * BS, 164 * BS);
        assertArrayEquals(data, onDisk);
    }

    @Test
    void neverWrittenBlocksReadAsZeroesUpToTheLastBlock() throws Exception {
        UnitDriver.Result read = disk.read(BLOCKS - 8, 8);
        assertEquals(CompletionStatus.GOOD, read.status());
        assertArrayEquals(new byte[8 * BS], read.data());
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, disk.read(BLOCKS - 7, 8).status());
    }

    @Test
    void fuaWritesAndFlushComplete() throws Exception {
        byte[] data = random(8 * BS, 2);
        assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.WRITE, 0, 8, data, r -> r.fua(true)).status());
        assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.FLUSH, 0, 0, null, r -> { }).status());
        assertArrayEquals(data, disk.read(0, 8).data());
    }

    @Test
    void writeZeroesAndUnmapLeaveZeroesAndSparesTheNeighbours() throws Exception {
        byte[] data = random(3000 * BS, 3); // crosses the 1 MiB zero chunk
        disk.write(0, data);
        assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.WRITE_ZEROES, 1, 2500, null, r -> { }).status());
        assertEquals(CompletionStatus.GOOD,
                disk.run(BlockOp.UNMAP, 0, 0, null, r -> r.addRange(2600, 10).addRange(2700, 1)).status());

        byte[] expected = data.clone();
        Arrays.fill(expected, BS, 2501 * BS, (byte) 0);
        Arrays.fill(expected, 2600 * BS, 2610 * BS, (byte) 0);
        Arrays.fill(expected, 2700 * BS, 2701 * BS, (byte) 0);
        assertArrayEquals(expected, disk.read(0, 3000).data());
    }

    @Test
    void compareAndWriteWritesOnlyWhenTheCompareMatches() throws Exception {
        byte[] old = random(2 * BS, 4);
        byte[] fresh = random(2 * BS, 5);
        disk.write(10, old);

        byte[] wrongCompare = old.clone();
        wrongCompare[700] ^= 1;
        UnitDriver.Result refused = disk.run(BlockOp.COMPARE_AND_WRITE, 10, 2, concat(wrongCompare, fresh), r -> { });
        assertEquals(CompletionStatus.MISCOMPARE, refused.status());
        assertEquals(700, refused.miscompareOffset());
        assertArrayEquals(old, disk.read(10, 2).data());

        assertEquals(CompletionStatus.GOOD,
                disk.run(BlockOp.COMPARE_AND_WRITE, 10, 2, concat(old, fresh), r -> { }).status());
        assertArrayEquals(fresh, disk.read(10, 2).data());
    }

    @Test
    void verifyComparesDataAndReportsTheFirstDifference() throws Exception {
        byte[] data = random(2100 * BS, 6); // more than one compare chunk
        disk.write(0, data);
        assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.VERIFY, 0, 2100, data, r -> { }).status());
        assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.VERIFY, 0, 2100, null, r -> { }).status());

        byte[] other = data.clone();
        other[2050 * BS + 3] ^= 0x40;
        UnitDriver.Result miss = disk.run(BlockOp.VERIFY, 0, 2100, other, r -> { });
        assertEquals(CompletionStatus.MISCOMPARE, miss.status());
        assertEquals(2050L * BS + 3, miss.miscompareOffset());
    }

    /**
     * Four clients increment one counter block with compare-and-write (retrying on miscompare) on a backend with
     * four workers, while plain writes hit the same stripe. A non-atomic compare-and-write would lose increments.
     */
    @Test
    void compareAndWriteIsAtomicAgainstConcurrentWrites() throws Exception {
        int clients = 4;
        int increments = 50;
        disk.write(0, counter(0));
        ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < increments; i++) {
                        while (true) {
                            long now = readCounter();
                            byte[] cmp = concat(counter(now), counter(now + 1));
                            if (disk.run(BlockOp.COMPARE_AND_WRITE, 0, 1, cmp, r -> { }).status() == CompletionStatus.GOOD) {
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            done.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    disk.write(1, random(BS, i)); // same lock stripe as the counter
                }
                return null;
            }));
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(clients * increments, readCounter());
    }

    private long readCounter() throws Exception {
        return java.nio.ByteBuffer.wrap(disk.read(0, 1).data()).getLong();
    }

    private static byte[] counter(long value) {
        return java.nio.ByteBuffer.allocate(BS).putLong(value).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
