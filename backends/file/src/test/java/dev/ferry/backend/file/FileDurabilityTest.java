package dev.ferry.backend.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability of the file backstore, observed through its channel ({@link ForceSeamChannel} counts and can fail
 * {@code force}). A file backstore whose fdatasync fails once (EIO, as after lost writeback) and then would succeed again: every
 * later flush and durable write must fail until the backstore is reopened. The failure is injected through the
 * channel ({@link ForceSeamChannel}); what is exercised is the file backend's mapping of a failed
 * {@code force()} and the core's stickiness, not a real device error.
 */
class FileDurabilityTest {
    @TempDir
    Path dir;

    /** Delegates to a real channel and counts {@code force} calls; the first {@code failures} throw EIO's message. */
    static final class ForceSeamChannel extends FileChannel {
        final FileChannel real;
        final int failures;
        final AtomicInteger forces = new AtomicInteger();

        ForceSeamChannel(FileChannel real, int failures) {
            this.real = real;
            this.failures = failures;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (forces.getAndIncrement() < failures) {
                throw new IOException("Input/output error");
            }
            real.force(metaData);
        }

        @Override public int read(ByteBuffer dst) throws IOException { return real.read(dst); }
        @Override public long read(ByteBuffer[] d, int o, int l) throws IOException { return real.read(d, o, l); }
        @Override public int write(ByteBuffer src) throws IOException { return real.write(src); }
        @Override public long write(ByteBuffer[] s, int o, int l) throws IOException { return real.write(s, o, l); }
        @Override public long position() throws IOException { return real.position(); }
        @Override public FileChannel position(long p) throws IOException { real.position(p); return this; }
        @Override public long size() throws IOException { return real.size(); }
        @Override public FileChannel truncate(long size) throws IOException { real.truncate(size); return this; }
        @Override public long transferTo(long p, long c, WritableByteChannel t) throws IOException {
            return real.transferTo(p, c, t);
        }
        @Override public long transferFrom(ReadableByteChannel s, long p, long c) throws IOException {
            return real.transferFrom(s, p, c);
        }
        @Override public int read(ByteBuffer dst, long p) throws IOException { return real.read(dst, p); }
        @Override public int write(ByteBuffer src, long p) throws IOException { return real.write(src, p); }
        @Override public MappedByteBuffer map(MapMode m, long p, long s) throws IOException { return real.map(m, p, s); }
        @Override public FileLock lock(long p, long s, boolean sh) throws IOException { return real.lock(p, s, sh); }
        @Override public FileLock tryLock(long p, long s, boolean sh) throws IOException {
            return real.tryLock(p, s, sh);
        }
        @Override protected void implCloseChannel() throws IOException { real.close(); }
    }

    @Test
    void aFailedFdatasyncFailsEveryLaterFlushAndDurableWriteUntilReopened() throws Exception {
        Path file = dir.resolve("disk.img");
        FileBackend first = (FileBackend) new FileBackendFactory().open(FileBackendIoTest.config(file, "1M", null));
        BackendDescriptor d = first.describe();
        first.close();

        ForceSeamChannel channel = new ForceSeamChannel(FileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.WRITE), 1);
        try (UnitDriver disk = new UnitDriver(new FileBackend(d, file, channel, FileAllocation.open(file, true)))) {
            assertEquals(CompletionStatus.GOOD, disk.write(0, new byte[512]).status(), "cached write");
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE,
                    disk.run(BlockOp.WRITE, 0, 1, new byte[512], r -> r.fua(true)).status(), "fdatasync failed");
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, disk.run(BlockOp.FLUSH, 0, 0, null, r -> { }).status(),
                    "the next fdatasync would succeed; the flush must still fail");
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE,
                    disk.run(BlockOp.WRITE_ZEROES, 0, 1, null, r -> r.fua(true)).status());
            assertEquals(1, channel.forces.get(), "nothing after the failure asked the file system again");
        }

        try (UnitDriver reopened = new UnitDriver(new FileBackendFactory().open(
                FileBackendIoTest.config(file, "1M", null)))) {
            assertEquals(CompletionStatus.GOOD, reopened.run(BlockOp.FLUSH, 0, 0, null, r -> { }).status());
        }
    }

    /** FUA on an unmap (what the core sets on every write-class request while the write cache is off) is synced. */
    @Test
    void fuaUnmapAndWriteZeroesAreSynced() throws Exception {
        Path file = dir.resolve("disk.img");
        FileBackend first = (FileBackend) new FileBackendFactory().open(FileBackendIoTest.config(file, "1M", null));
        BackendDescriptor d = first.describe();
        first.close();
        ForceSeamChannel channel = new ForceSeamChannel(FileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.WRITE), 0);
        try (UnitDriver disk = new UnitDriver(new FileBackend(d, file, channel, FileAllocation.open(file, true)))) {
            assertEquals(CompletionStatus.GOOD, disk.run(BlockOp.UNMAP, 0, 0, null, r -> r.addRange(0, 8)).status());
            assertEquals(0, channel.forces.get(), "cache on, no FUA: nothing to sync");
            assertEquals(CompletionStatus.GOOD,
                    disk.run(BlockOp.UNMAP, 0, 0, null, r -> r.addRange(0, 8).fua(true)).status());
            assertEquals(1, channel.forces.get(), "FUA unmap");
            assertEquals(CompletionStatus.GOOD,
                    disk.run(BlockOp.WRITE_ZEROES, 8, 8, null, r -> r.fua(true)).status());
            assertEquals(2, channel.forces.get(), "FUA write zeroes");
        }
    }
}
