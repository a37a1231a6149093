package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import dev.ferry.core.backend.BackendException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens device nodes for the Linux backends with messages an admin can act on. Exclusive opens (O_EXCL on a block
 * device) are refused by the kernel with EBUSY while the device is mounted, held by device-mapper/md/swap, or open
 * exclusively by another program; the message then says which of these sysfs and mountinfo can tell.
 */
public final class DeviceOpener {
    private DeviceOpener() {
    }

    /** open(2), mapping failure to a {@link BackendException} that names the device and the reason. */
    public static int open(Path node, int flags) throws BackendException {
        try {
            return LibC.open(node.toString(), flags | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new BackendException(describeFailure(node, e.getErrorCode()), e);
        }
    }

    /** Opens, runs {@code probe} and closes: for looking at a device without claiming it. */
    public static <T> T probe(Path node, java.util.function.IntFunction<T> probe) throws BackendException {
        int fd = open(node, LibC.O_RDONLY | LibC.O_NONBLOCK);
        try {
            return probe.apply(fd);
        } catch (LastErrorException e) {
            throw new BackendException(node + ": cannot query the device (" + Errno.name(e.getErrorCode()) + ")", e);
        } finally {
            LibC.close(fd);
        }
    }

    static String describeFailure(Path node, int errno) {
        if (errno == Errno.EBUSY) {
            return node + " is busy (EBUSY): " + whyBusy(node)
                    + "; Ferry opens devices exclusively so that a disk in use is never exported by mistake";
        }
        if (errno == Errno.ENOENT || errno == Errno.ENXIO || errno == Errno.ENODEV) {
            return node + ": no such device (" + Errno.name(errno) + "): it vanished or has no medium";
        }
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            return node + ": permission denied (" + Errno.name(errno) + "): Ferry needs root or the disk group";
        }
        if (errno == Errno.EROFS) {
            return node + ": read-only (EROFS): set \"readOnly\": true to export it write-protected";
        }
        return node + ": cannot open (" + Errno.name(errno) + ")";
    }

    private static String whyBusy(Path node) {
        String name = DevicePaths.blockName(node);
        try {
            String reason = name == null ? null : DeviceInventory.busyReason(name);
            if (reason != null) {
                return reason;
            }
        } catch (IOException e) {
            // fall through to the generic reason
        }
        return "it is mounted, used as swap, or open exclusively by another program";
    }
}
