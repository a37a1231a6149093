package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The block backend against real loop devices: geometry, data path, discard, read-only, exclusivity. */
class BlockBackendLoopTest {
    private static final long SIZE = 8 << 20;

    @TempDir
    Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private LoopDevice loop;

    @BeforeEach
    void attach() throws Exception {
        loop = track(LoopDevice.attach(dir.resolve("disk.img"), SIZE));
    }

    @AfterEach
    void detach() throws Exception {
        Exception first = null;
        for (int i = cleanup.size() - 1; i >= 0; i--) { // drivers close before the loop device detaches
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        cleanup.add(c);
        return c;
    }

    private static BackstoreConfig config(Path path, String size, Boolean readOnly) {
        return new BackstoreConfig("blk", "block", size, path.toString(), null, null, readOnly, null, 2, null);
    }

    private UnitDriver open(Path path) throws Exception {
        return track(new UnitDriver(new BlockBackendFactory().open(config(path, null, null))));
    }

    private static ByteBuf aligned(int bytes) {
        int pages = (bytes + 4095) / 4096 + 1; // alignedSlice trims both ends to page boundaries
        return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(pages * 4096).alignedSlice(4096).limit(bytes))
                .clear();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] backingBytes(long offset, int n) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(loop.backing.toFile(), "r")) {
            byte[] b = new byte[n];
            f.seek(offset);
            f.readFully(b);
            return b;
        }
    }

    @Test
    void geometryComesFromTheDevice() throws Exception {
        BackendDescriptor d = open(loop.node).unit.descriptor();
        assertEquals(SIZE / 512, d.capacityBlocks());
        assertEquals(512, d.logicalBlockSize());
        assertFalse(d.readOnly());
        assertTrue(d.discard(), "loop devices over ext4 discard by punching holes");
        assertTrue(d.discardZeroes());
        try (LoopDevice big = LoopDevice.attach(dir.resolve("4k.img"), SIZE, "--sector-size", "4096")) {
            UnitDriver u = new UnitDriver(new BlockBackendFactory().open(config(big.node, "4M", null)));
            try {
                assertEquals(4096, u.unit.descriptor().logicalBlockSize());
                assertEquals((4 << 20) / 4096, u.unit.descriptor().capacityBlocks(), "size exports less");
            } finally {
                u.close();
            }
        }
    }

    @Test
    void writeReadRoundTripThroughIoUring() throws Exception {
        BlockBackend backend = new BlockBackendFactory().open(config(loop.node, null, null), true);
        UnitDriver u = track(new UnitDriver(backend));
        roundTrip(u, backend);
        assumeTrue(backend.ringOps() > 0, "SKIPPED: io_uring unavailable here (kernel, seccomp or architecture); "
                + "the blocking path carried the aligned I/O");
        assertEquals(3, backend.ringOps(), "the aligned write, the aligned read and the aligned FUA write");
    }

    @Test
    void manyAlignedRequestsInFlightOutnumberTheRings() throws Exception {
        BlockBackend backend = new BlockBackendFactory().open(config(loop.node, null, null), true);
        UnitDriver u = track(new UnitDriver(backend));
        int n = 200; // far more than the queue depth lets in flight: submission must wait for slots
        List<java.util.concurrent.CompletableFuture<UnitDriver.Result>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(u.start(BlockOp.WRITE, i * 8L, 8, aligned(4096).writeBytes(random(4096, 100 + i)), false));
        }
        for (var w : writes) {
            assertEquals(CompletionStatus.GOOD, w.get(30, java.util.concurrent.TimeUnit.SECONDS).status());
        }
        List<ByteBuf> outs = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<UnitDriver.Result>> reads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            outs.add(aligned(4096));
            reads.add(u.start(BlockOp.READ, i * 8L, 8, outs.get(i), false));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(CompletionStatus.GOOD, reads.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS).status());
            assertArrayEquals(random(4096, 100 + i), bytes(outs.get(i)), "block " + i);
        }
        assertArrayEquals(random(4096, 100 + 57), backingBytes(57 * 4096L, 4096));
        assertEquals(IoUring.available() ? 2L * n : 0, backend.ringOps());
    }

    @Test
    void writeReadRoundTripWithBlockingSyscalls() throws Exception {
        BlockBackend backend = new BlockBackendFactory().open(config(loop.node, null, null), false);
        UnitDriver u = track(new UnitDriver(backend));
        roundTrip(u, backend);
        assertEquals(0, backend.ringOps());
    }

    private void roundTrip(UnitDriver u, BlockBackend backend) throws Exception {
        byte[] data = random(64 * 1024, 1);

        ByteBuf in = aligned(data.length).writeBytes(data);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE, 100, 128, in));
        assertArrayEquals(data, backingBytes(100 * 512L, data.length), "the backing file holds the bytes");
        assertEquals(data.length, backend.directBytes(), "aligned direct buffer went to the kernel in place");
        assertEquals(0, backend.bouncedBytes());

        ByteBuf out = aligned(data.length);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.READ, 100, 128, out));
        assertEquals(data.length, out.readableBytes());
        assertArrayEquals(data, bytes(out));
        assertEquals(2L * data.length, backend.directBytes());

        // Misaligned direct memory (one byte off) and heap memory both take the bounce buffer.
        ByteBuf misaligned = Unpooled.directBuffer(data.length + 1).writeByte(0).writeBytes(data).skipBytes(1);
        byte[] second = random(4096, 2);
        ByteBuf heap = Unpooled.wrappedBuffer(second);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE, 500, 128, misaligned));
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE, 7, 8, heap));
        assertArrayEquals(data, backingBytes(500 * 512L, data.length));
        assertArrayEquals(second, backingBytes(7 * 512L, second.length));
        misaligned.release();
        ByteBuf heapOut = Unpooled.buffer(data.length);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.READ, 500, 128, heapOut));
        assertArrayEquals(data, bytes(heapOut));
        assertEquals(2L * data.length + second.length, backend.bouncedBytes(), "misaligned write, heap write, heap read");
        assertEquals(2L * data.length, backend.directBytes());

        // A transfer larger than the bounce buffer goes in pieces.
        byte[] big = random(BlockBackend.BOUNCE_BYTES + 8192, 3);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE, 2048, big.length / 512, Unpooled.wrappedBuffer(big)));
        ByteBuf bigOut = Unpooled.buffer(big.length);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.READ, 2048, big.length / 512, bigOut));
        assertArrayEquals(big, bytes(bigOut));
        assertArrayEquals(big, backingBytes(2048 * 512L, big.length));

        assertEquals(CompletionStatus.GOOD, u.run(BlockOp.WRITE, 3, 8, aligned(4096).writeZero(4096), true).status(),
                "FUA write");
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.FLUSH, 0, 0, null));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, u.status(BlockOp.READ, SIZE / 512, 1, aligned(512)));
    }

    @Test
    void discardPunchesHolesAndReadsZeroes() throws Exception {
        UnitDriver u = open(loop.node);
        byte[] data = random(1 << 20, 4);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE, 0, data.length / 512, Unpooled.wrappedBuffer(data)));
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.FLUSH, 0, 0, null));
        long before = loop.allocatedSectors();
        assertTrue(before >= data.length / 512, "written data is allocated: " + before);

        assertEquals(CompletionStatus.GOOD, u.run(BlockOp.UNMAP, 0, 0, null, false, new long[] {0, 1024},
                new long[] {1024, 512}).status());
        ByteBuf out = Unpooled.buffer(data.length);
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.READ, 0, data.length / 512, out));
        byte[] back = bytes(out);
        assertArrayEquals(new byte[1536 * 512], java.util.Arrays.copyOf(back, 1536 * 512), "unmapped blocks read zero");
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1536 * 512, data.length),
                java.util.Arrays.copyOfRange(back, 1536 * 512, data.length), "the rest is untouched");
        long after = loop.allocatedSectors();
        assertTrue(after <= before - 1536, "holes punched in the backing file: " + before + " -> " + after);

        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE_ZEROES, 1536, 512, null));
        ByteBuf tail = Unpooled.buffer(512 * 512);
        u.status(BlockOp.READ, 1536, 512, tail);
        assertArrayEquals(new byte[512 * 512], bytes(tail), "write zeroes");
    }

    /**
     * FUA on UNMAP and WRITE ZEROES (and so write-through, which the core turns into FUA) reaches the device: the
     * backend syncs after the discard or zero-out, counted by {@link BlockBackend#syncs()}.
     */
    @ParameterizedTest(name = "io_uring={0}")
    @ValueSource(booleans = {true, false})
    void fuaUnmapAndWriteZeroesAreSynced(boolean ioUring) throws Exception {
        BlockBackend backend = new BlockBackendFactory().open(config(loop.node, null, null), ioUring);
        UnitDriver u = track(new UnitDriver(backend));
        long before = backend.syncs();
        assertEquals(CompletionStatus.GOOD, u.run(BlockOp.UNMAP, 0, 0, null, true, new long[] {0, 8}).status());
        assertEquals(before + 1, backend.syncs(), "FUA unmap");
        assertEquals(CompletionStatus.GOOD, u.run(BlockOp.WRITE_ZEROES, 16, 8, null, true).status());
        assertEquals(before + 2, backend.syncs(), "FUA write zeroes");
        assertEquals(CompletionStatus.GOOD, u.status(BlockOp.FLUSH, 0, 0, null));
        assertEquals(before + 3, backend.syncs(), "flush");
        assertEquals(ioUring && IoUring.available(), backend.nonBlocking(), "on the event loop only with io_uring");
    }

    @Test
    void compareAndWriteIsAtomicAgainstOtherWrites() throws Exception {
        UnitDriver u = open(loop.node);
        byte[] a = random(512, 5);
        byte[] b = random(512, 6);
        u.status(BlockOp.WRITE, 9, 1, Unpooled.wrappedBuffer(a));
        UnitDriver.Result ok = u.run(BlockOp.COMPARE_AND_WRITE, 9, 1, Unpooled.wrappedBuffer(a, b), false);
        assertEquals(CompletionStatus.GOOD, ok.status());
        assertArrayEquals(b, backingBytes(9 * 512L, 512));
        byte[] wrong = b.clone();
        wrong[300] ^= 1;
        UnitDriver.Result miss = u.run(BlockOp.COMPARE_AND_WRITE, 9, 1, Unpooled.wrappedBuffer(wrong, a), false);
        assertEquals(CompletionStatus.MISCOMPARE, miss.status());
        assertEquals(300, miss.miscompareOffset());
        assertArrayEquals(b, backingBytes(9 * 512L, 512), "a miscompare writes nothing");

        // Counter in block 0, incremented by concurrent compare-and-writes: no increment may be lost.
        u.status(BlockOp.WRITE, 0, 1, Unpooled.wrappedBuffer(counter(0)));
        AtomicInteger successes = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            fs.add(pool.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    ByteBuf cur = Unpooled.buffer(512);
                    u.status(BlockOp.READ, 0, 1, cur);
                    int v = cur.getInt(0);
                    if (u.status(BlockOp.COMPARE_AND_WRITE, 0, 1,
                            Unpooled.wrappedBuffer(counter(v), counter(v + 1))) == CompletionStatus.GOOD) {
                        successes.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        assertEquals(successes.get(), ByteBuffer.wrap(backingBytes(0, 4)).getInt());
        assertTrue(successes.get() > 0);
    }

    private static byte[] counter(int v) {
        return ByteBuffer.allocate(512).putInt(v).array();
    }

    @Test
    void readOnlyLoopIsWriteProtected() throws Exception {
        try (LoopDevice ro = LoopDevice.attach(dir.resolve("ro.img"), SIZE, "-r")) {
            UnitDriver u = new UnitDriver(new BlockBackendFactory().open(config(ro.node, null, null)));
            try {
                assertTrue(u.unit.descriptor().readOnly());
                assertEquals(CompletionStatus.WRITE_PROTECTED, u.status(BlockOp.WRITE, 0, 1, Unpooled.buffer(512).writeZero(512)));
                assertEquals(CompletionStatus.GOOD, u.status(BlockOp.READ, 0, 1, Unpooled.buffer(512)));
            } finally {
                u.close();
            }
        }
    }

    @Test
    void refusesADeviceHeldExclusivelyBySomeoneElse() throws Exception {
        int fd = LibC.open(loop.node.toString(), LibC.O_RDONLY | LibC.O_EXCL | LibC.O_CLOEXEC);
        try {
            BackendException e = assertThrows(BackendException.class,
                    () -> new BlockBackendFactory().open(config(loop.node, null, null)));
            assertTrue(e.getMessage().contains(loop.node.toString()) && e.getMessage().contains("busy"), e.getMessage());
        } finally {
            LibC.close(fd);
        }
        // Once released, the backend holds it exclusively itself.
        open(loop.node);
        LastErrorException busy = assertThrows(LastErrorException.class,
                () -> LibC.open(loop.node.toString(), LibC.O_RDONLY | LibC.O_EXCL));
        assertEquals(Errno.EBUSY, busy.getErrorCode());
    }

    @Test
    void refusesAMountedDeviceNamingTheMountPoint() throws Exception {
        LoopDevice.run(List.of("mkfs.ext4", "-q", loop.node.toString()));
        Path mnt = java.nio.file.Files.createDirectory(dir.resolve("mnt"));
        LoopDevice.run(List.of("mount", loop.node.toString(), mnt.toString()));
        try {
            BackendException e = assertThrows(BackendException.class,
                    () -> new BlockBackendFactory().open(config(loop.node, null, null)));
            assertTrue(e.getMessage().contains(loop.node + " is busy (EBUSY): it is mounted on " + mnt), e.getMessage());
            var listed = new DeviceInventory().devices().stream()
                    .filter(d -> d.path().equals(loop.node.toString())).findFirst().orElseThrow();
            assertEquals(List.of(mnt.toString()), listed.mountPoints());
            assertTrue(listed.inUse());
        } finally {
            LoopDevice.run(List.of("umount", mnt.toString()));
        }
    }

    @Test
    void refusesVanishedOrTooSmallDevices() throws Exception {
        BlockBackendFactory f = new BlockBackendFactory();
        BackendException small = assertThrows(BackendException.class, () -> f.open(config(loop.node, "16M", null)));
        assertTrue(small.getMessage().contains("smaller than the configured size"), small.getMessage());
        assertEquals(List.of("size: 16M is larger than " + loop.node + " (" + SIZE + " bytes)"),
                f.validate(config(loop.node, "16M", null)));
        assertEquals(List.of(), f.validate(config(loop.node, "4M", null)));
        BackendException gone = assertThrows(BackendException.class,
                () -> f.open(config(dir.resolve("no-such-disk"), null, null)));
        assertTrue(gone.getMessage().contains("does not exist"), gone.getMessage());
    }

    @Test
    void byIdStyleSymlinksResolveToTheDevice() throws Exception {
        Path byId = java.nio.file.Files.createDirectory(dir.resolve("by-id"));
        Path link = java.nio.file.Files.createSymbolicLink(byId.resolve("wwn-0x5000c500deadbeef"), loop.node);
        java.nio.file.Files.createSymbolicLink(byId.resolve("dangling"), dir.resolve("nothing"));
        assertEquals(List.of(link.toString()), DevicePaths.stableLinks(loop.node, byId));
        UnitDriver u = open(link);
        assertEquals(SIZE / 512, u.unit.descriptor().capacityBlocks());
    }

    @Test
    void inventoryListsTheLoopDevice() throws Exception {
        var all = new DeviceInventory().devices();
        var mine = all.stream().filter(d -> d.path().equals(loop.node.toString())).findFirst().orElseThrow();
        assertEquals("loop", mine.kind());
        assertEquals(SIZE, mine.sizeBytes());
        assertFalse(mine.empty());
        assertEquals(List.of("block"), mine.backends());
        assertFalse(mine.inUse());
        String table = new DeviceInventory().table();
        assertTrue(table.contains(loop.node.toString()) && table.contains("8.0M"), table);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
