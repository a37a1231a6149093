package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.UnitIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code "type": "block"}: a Linux block device ({@code path}, e.g. a /dev/disk/by-id link) opened O_DIRECT and
 * O_EXCL, or a regular file opened O_DIRECT. Geometry comes from the device; {@code size} may export less than it.
 */
public final class BlockBackendFactory implements BackendFactory {
    private static final Logger LOG = LoggerFactory.getLogger(BlockBackendFactory.class);
    /**
     * Default worker threads. With io_uring the event loops submit and reap aligned reads and writes themselves
     * and these threads run only what would block a loop (flush, discard, write-zeroes, compare-and-write, bounced
     * buffers): two. Blocking syscalls need several threads in flight (BlockBackendBench, loop device over
     * /dev/shm, random 4 KiB I/O at queue depth 32, two shared cores: 16-28k IOPS with one, 29-48k with four, no
     * steady gain from eight).
     */
    public static final int DEFAULT_WORKERS_IO_URING = 2;
    public static final int DEFAULT_WORKERS_BLOCKING = 4;
    /**
     * io_uring for aligned reads and writes, unless {@code -Dferry.block.io_uring=false}; where the kernel or a
     * container refuses io_uring, the blocking path is used anyway.
     */
    static final boolean IO_URING = !"false".equals(System.getProperty("ferry.block.io_uring"));
    /** Largest request taken in one piece: the block layer splits anything bigger anyway. */
    private static final int MAX_TRANSFER_BYTES = 8 << 20;
    /** Memory alignment for O_DIRECT on regular files: the page size covers every filesystem's block size. */
    private static final int FILE_ALIGNMENT = 4096;

    @Override
    public String type() {
        return "block";
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.path() == null || config.path().isBlank()) {
            problems.add("path: a block backstore needs the device or file path (e.g. /dev/disk/by-id/...)");
            return problems;
        }
        Path resolved;
        try {
            resolved = DevicePaths.resolve(config.path());
        } catch (IOException e) {
            problems.add("path: " + config.path() + " does not exist");
            return problems;
        }
        if (Files.isRegularFile(resolved)) {
            try {
                if (config.size() != null && config.sizeBytes() > Files.size(resolved)) {
                    problems.add("size: " + config.size() + " is larger than the file " + resolved);
                }
            } catch (IOException | IllegalArgumentException e) {
                // unreadable: open says why; an unparsable size is reported by the core validator
            }
            return problems;
        }
        String name = DevicePaths.blockName(resolved);
        if (name == null) {
            problems.add("path: " + config.path() + " is neither a block device nor a regular file");
            return problems;
        }
        try {
            SysfsDevice d = SysfsDevice.read(name);
            if (config.size() != null && config.sizeBytes() > d.sizeBytes()) {
                problems.add("size: " + config.size() + " is larger than " + resolved + " (" + d.sizeBytes()
                        + " bytes)");
            }
            if (config.blockSize() != null && config.blockSize() != d.queue().logicalBlockSize()) {
                problems.add("blockSize: " + config.blockSize() + " differs from the logical block size of "
                        + resolved + " (" + d.queue().logicalBlockSize() + ")");
            }
        } catch (IOException e) {
            problems.add("path: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // an unparsable size: the core validator reports it
        }
        return problems;
    }

    @Override
    public Backend open(BackstoreConfig config) throws BackendException {
        return open(config, IO_URING);
    }

    BlockBackend open(BackstoreConfig config, boolean ioUring) throws BackendException {
        Path node;
        try {
            node = DevicePaths.resolve(config.path());
        } catch (IOException e) {
            throw new BackendException("backstore " + config.name() + ": " + config.path()
                    + " does not exist (the device vanished or was never there)", e);
        }
        return Files.isRegularFile(node) ? openFile(config, node, ioUring) : openDevice(config, node, ioUring);
    }

    private BlockBackend openDevice(BackstoreConfig config, Path node, boolean ioUring) throws BackendException {
        String name = DevicePaths.blockName(node);
        if (name == null) {
            throw new BackendException("backstore " + config.name() + ": " + node + " is not a block device");
        }
        BlockGeometry g = DeviceOpener.probe(node, BlockGeometry::probe);
        SysfsDevice sys;
        try {
            sys = SysfsDevice.read(name);
        } catch (IOException e) {
            throw new BackendException("backstore " + config.name() + ": " + e.getMessage(), e);
        }
        long size = exportedSize(config, node, g.sizeBytes());
        if (config.blockSize() != null && config.blockSize() != g.logicalBlockSize()) {
            throw new BackendException("backstore " + config.name() + ": " + node + " has " + g.logicalBlockSize()
                    + "-byte logical blocks but blockSize is " + config.blockSize());
        }
        boolean readOnly = g.readOnly() || config.readOnlyOrDefault();
        int fd = DeviceOpener.open(node, (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_DIRECT | LibC.O_EXCL);
        int lbs = g.logicalBlockSize();
        SysfsQueue q = sys.queue();
        boolean cache = q.writeBack() && config.writeCacheOrDefault();
        long discardGranularity = Math.max(q.discardGranularity(), lbs);
        boolean loop = sys.loopBacking() != null;
        BackendDescriptor d = new BackendDescriptor(config.name(), size / lbs, lbs,
                Math.max(g.physicalBlockSize(), lbs), g.optimalIo() / lbs,
                Math.min(MAX_TRANSFER_BYTES, q.maxSectorsKb() * 1024) / lbs,
                q.discardMaxBytes() > 0, (int) (discardGranularity / lbs),
                loop, // a loop device punches holes in its file; other devices promise nothing
                true, cache, cache, q.rotational(), readOnly,
                UnitIdentity.derive(config.identitySeedOrName(), product(sys.model(), "BLOCK DEVICE")));
        LOG.info("block backstore {}: {} ({}), {} bytes, {}/{} bytes per block{}", config.name(), node, name,
                size, lbs, g.physicalBlockSize(), readOnly ? ", read-only" : "");
        return new BlockBackend(d, fd, false, config.size() == null, Math.max(lbs, 512), workers(config, ioUring),
                config.queueDepthOrDefault(), q.writeBack() && !config.writeCacheOrDefault(), ioUring);
    }

    private BlockBackend openFile(BackstoreConfig config, Path file, boolean ioUring) throws BackendException {
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (IOException e) {
            throw new BackendException("backstore " + config.name() + ": cannot stat " + file, e);
        }
        long size = exportedSize(config, file, fileSize);
        boolean readOnly = config.readOnlyOrDefault() || !Files.isWritable(file);
        int mode = readOnly ? LibC.O_RDONLY : LibC.O_RDWR;
        int fd;
        try {
            fd = LibC.open(file.toString(), mode | LibC.O_DIRECT | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EINVAL) {
                throw new BackendException("backstore " + config.name() + ": "
                        + DeviceOpener.describeFailure(file, e.getErrorCode()), e);
            }
            // The filesystem has no O_DIRECT (e.g. tmpfs before Linux 6.6): the page cache is better than nothing.
            LOG.warn("block backstore {}: {} does not support O_DIRECT, using buffered I/O", config.name(), file);
            fd = DeviceOpener.open(file, mode);
        }
        int bs = config.blockSizeOrDefault();
        BackendDescriptor d = new BackendDescriptor(config.name(), size / bs, bs, config.physicalBlockSizeOrDefault(),
                0, MAX_TRANSFER_BYTES / bs, true, 1, true, true, config.writeCacheOrDefault(),
                config.writeCacheOrDefault(), false, readOnly,
                UnitIdentity.derive(config.identitySeedOrName(), "FILE"));
        return new BlockBackend(d, fd, true, config.size() == null, Math.max(bs, FILE_ALIGNMENT), workers(config, ioUring),
                config.queueDepthOrDefault(), !config.writeCacheOrDefault(), ioUring);
    }

    /** The configured size, which must fit in the device; the whole device (in whole blocks) when none is set. */
    private static long exportedSize(BackstoreConfig config, Path node, long available) throws BackendException {
        long wanted = config.sizeBytes();
        if (wanted > available) {
            throw new BackendException("backstore " + config.name() + ": " + node + " has " + available
                    + " bytes, smaller than the configured size " + config.size() + " (" + wanted + " bytes)");
        }
        return wanted < 0 ? available : wanted;
    }

    private static int workers(BackstoreConfig config, boolean ioUring) {
        if (config.workers() != null) {
            return config.workers();
        }
        int defaults = ioUring && IoUring.available() ? DEFAULT_WORKERS_IO_URING : DEFAULT_WORKERS_BLOCKING;
        return Math.min(defaults, config.queueDepthOrDefault()); // a blocking worker has one request in flight
    }

    /** An INQUIRY product string (16 printable ASCII characters at most) from a device model. */
    public static String product(String model, String fallback) {
        String p = model == null ? "" : model.replaceAll("[^\\x20-\\x7e]", "").trim();
        return p.isEmpty() ? fallback : p.substring(0, Math.min(16, p.length())).trim();
    }
}
