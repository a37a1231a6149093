package dev.ferry.backend.file;

import static dev.ferry.backend.file.FileBackendIoTest.config;
import static dev.ferry.backend.file.FileBackendIoTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.CompletionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file backstore resized in place: ftruncate grows the file sparsely, keeps the data, serves the new end. */
class FileBackendResizeTest {
    @TempDir
    Path dir;

    @Test
    void growingExtendsTheFileSparselyAndKeepsTheData() throws Exception {
        Path file = dir.resolve("disk.img");
        try (UnitDriver d = new UnitDriver(new FileBackendFactory().open(config(file, "1M", null)))) {
            byte[] data = random(4096, 1);
            assertEquals(CompletionStatus.GOOD, d.write(2040, data).status());
            assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, d.write(2048, random(512, 2)).status());

            assertEquals(8192, d.unit().resize(4 << 20).capacityBlocks());
            assertEquals(4 << 20, Files.size(file));
            assertTrue(allocatedBytes(file) < 1 << 20, "grown with a hole");
            assertArrayEquals(data, d.read(2040, 8).data());
            assertArrayEquals(new byte[4096], d.read(2048, 8).data());
            byte[] atEnd = random(512, 3);
            assertEquals(CompletionStatus.GOOD, d.write(8191, atEnd).status());
            assertArrayEquals(atEnd, d.read(8191, 1).data());
            assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, d.write(8192, atEnd).status());
        }
    }

    /** stat(1) %b: 512-byte blocks the file has on disk. */
    private static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        return Long.parseLong(new String(p.getInputStream().readAllBytes()).trim()) * 512;
    }

    @Test
    void shrinkingTruncatesTheFile() throws Exception {
        Path file = dir.resolve("disk.img");
        try (UnitDriver d = new UnitDriver(new FileBackendFactory().open(config(file, "1M", null)))) {
            byte[] data = random(1024, 4);
            assertEquals(CompletionStatus.GOOD, d.write(1022, data).status());
            d.unit().resize(1023 * 512);
            assertEquals(1023 * 512, Files.size(file));
            assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, d.write(1023, random(512, 5)).status());
            d.unit().resize(1 << 20);
            assertArrayEquals(java.util.Arrays.copyOf(data, 512), d.read(1022, 1).data());
            assertArrayEquals(new byte[512], d.read(1023, 1).data(), "truncated away");
        }
    }

    @Test
    void aReadOnlyFileKeepsItsSize() throws Exception {
        Path file = dir.resolve("disk.img");
        Files.write(file, new byte[1 << 20]);
        try (UnitDriver d = new UnitDriver(new FileBackendFactory().open(config(file, null, true)))) {
            BackendException e = assertThrows(BackendException.class, () -> d.unit().resize(2 << 20));
            assertTrue(e.getMessage().contains("is read-only"), e.getMessage());
            assertEquals(1 << 20, Files.size(file));
            assertEquals(2048, d.unit().descriptor().capacityBlocks());
        }
    }
}
