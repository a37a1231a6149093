package dev.ferry.core.backend;

import java.util.List;

/**
 * One local storage device as a backend would see it, for listing what could be exported ({@code ferry devices}).
 * Found by a {@link DeviceCatalog}; nothing here is protocol specific.
 *
 * @param path              device node, e.g. {@code /dev/sda}
 * @param kind              {@code disk}, {@code partition} or {@code loop}
 * @param sizeBytes         capacity in bytes (0 for an empty loop device)
 * @param logicalBlockSize  bytes per logical block
 * @param physicalBlockSize bytes per physical block
 * @param rotational        a spinning disk
 * @param discard           the device accepts discard/unmap
 * @param writeCache        a volatile write cache is enabled ("write back")
 * @param readOnly          the device is read-only
 * @param model             model string, empty when unknown
 * @param serial            serial number or WWID, empty when unknown
 * @param mountPoints       where the device is mounted (empty when not mounted)
 * @param holders           kernel holders (device-mapper, md, ...) of the device
 * @param empty             a loop device without a backing file
 * @param backends          backend types able to drive it ({@code block}, {@code scsi}, {@code ata})
 * @param stablePaths       stable names pointing at it ({@code /dev/disk/by-id/...})
 */
public record DeviceInfo(
        String path,
        String kind,
        long sizeBytes,
        int logicalBlockSize,
        int physicalBlockSize,
        boolean rotational,
        boolean discard,
        boolean writeCache,
        boolean readOnly,
        String model,
        String serial,
        List<String> mountPoints,
        List<String> holders,
        boolean empty,
        List<String> backends,
        List<String> stablePaths) {

    /** Mounted, held by another driver, or an empty loop device: exporting it would fail or do harm. */
    public boolean inUse() {
        return !mountPoints.isEmpty() || !holders.isEmpty();
    }
}
