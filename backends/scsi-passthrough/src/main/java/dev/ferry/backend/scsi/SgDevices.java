package dev.ferry.backend.scsi;

import dev.ferry.backend.block.DeviceInventory;
import dev.ferry.backend.block.DeviceOpener;
import dev.ferry.backend.block.DevicePaths;
import dev.ferry.backend.block.LibC;
import dev.ferry.backend.block.SysfsDevice;
import dev.ferry.backend.block.SysfsQueue;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finding and opening the node a passthrough backend talks to: a SCSI generic node (/dev/sgN) or a SCSI disk
 * (/dev/sdX), possibly named through /dev/disk/by-id. Passthrough commands bypass the block layer, so a disk that
 * is mounted or held must be refused here; an sg node's O_EXCL does not see the block device's users.
 */
public final class SgDevices {
    private SgDevices() {
    }

    /** The configuration checks that need no open: a path that exists and names an sg node or a disk. */
    public static List<String> validate(BackstoreConfig config, String type) {
        List<String> problems = new ArrayList<>();
        if (config.path() == null || config.path().isBlank()) {
            problems.add("path: a " + type + " backstore needs a device path (/dev/sgN, /dev/sdX or /dev/disk/by-id/...)");
            return problems;
        }
        try {
            Path node = DevicePaths.resolve(config.path());
            if (!node.toString().startsWith("/dev/") || Files.isRegularFile(node) || Files.isDirectory(node)) {
                problems.add("path: " + config.path() + " is not a device node");
            }
        } catch (IOException e) {
            problems.add("path: " + config.path() + " does not exist");
        }
        if (config.blockSize() != null) {
            problems.add("blockSize: a " + type + " backstore uses the device's own block size; remove blockSize");
        }
        return problems;
    }

    public static Path resolve(BackstoreConfig config) throws BackendException {
        try {
            return DevicePaths.resolve(config.path());
        } catch (IOException e) {
            throw new BackendException("backstore " + config.name() + ": " + config.path()
                    + " does not exist (the device vanished or was never there)", e);
        }
    }

    /**
     * The most data one SG_IO may move for the disk behind {@code node}: the kernel refuses a larger transfer
     * (EINVAL) than its request queue takes, and that is as little as 128 KiB behind some SATA hosts. The queue's
     * max_sectors_kb (never above max_hw_sectors_kb) bounds {@code ceiling}; {@code ceiling} where sysfs has no queue.
     */
    public static int maxTransferBytes(Path node, int ceiling) {
        String disk = DevicePaths.blockName(node);
        if (disk == null || !Files.isDirectory(SysfsDevice.CLASS_BLOCK.resolve(disk).resolve("queue"))) {
            return ceiling;
        }
        long kb = SysfsQueue.read(SysfsDevice.CLASS_BLOCK.resolve(disk)).maxSectorsKb();
        return (int) Math.min(ceiling, kb * 1024);
    }

    /**
     * Worker threads for a passthrough backend. SG_IO blocks its thread until the device answers, so each worker
     * has exactly one command in flight: the configured workers (the validator keeps them within queueDepth), else
     * {@code defaultWorkers} but never more than the backstore's queue depth.
     */
    public static int workers(BackstoreConfig config, int defaultWorkers) {
        return config.workers() != null ? config.workers() : Math.min(defaultWorkers, config.queueDepthOrDefault());
    }

    /** Opens exclusively after checking that the disk behind the node is neither mounted nor held. */
    public static int open(BackstoreConfig config, Path node) throws BackendException {
        String disk = DevicePaths.blockName(node);
        String busy;
        try {
            busy = disk == null ? null : DeviceInventory.busyReason(disk);
        } catch (IOException e) {
            busy = null; // no sysfs view of the disk: the exclusive open below still guards the node itself
        }
        if (busy != null) {
            throw new BackendException("backstore " + config.name() + ": " + node + " (" + disk + ") is busy: " + busy
                    + "; passthrough would bypass its users");
        }
        int mode = config.readOnlyOrDefault() ? LibC.O_RDONLY : LibC.O_RDWR;
        return DeviceOpener.open(node, mode | LibC.O_NONBLOCK | LibC.O_EXCL);
    }
}
