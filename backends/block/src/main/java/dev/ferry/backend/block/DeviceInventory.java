package dev.ferry.backend.block;

import dev.ferry.core.backend.DeviceCatalog;
import dev.ferry.core.backend.DeviceInfo;
import dev.ferry.core.backend.DeviceTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The machine's block devices from sysfs, with what the block, scsi and ata backends would report for each. It
 * only reads sysfs, /proc and /dev/disk: no device is opened or probed, so listing is safe on a busy machine.
 */
public final class DeviceInventory implements DeviceCatalog {

    @Override
    public List<DeviceInfo> devices() throws IOException {
        Map<String, List<String>> mounts = MountInfo.byDevice();
        List<DeviceInfo> all = new ArrayList<>();
        for (String name : SysfsDevice.names()) {
            Path node = Paths.get("/dev", name);
            if (Sysfs.number(SysfsDevice.CLASS_BLOCK.resolve(name).resolve("hidden"), 0) == 1 || !Files.exists(node)) {
                continue; // e.g. NVMe multipath paths (nvme0c0n1): no node, reached through the head device
            }
            all.add(info(node, SysfsDevice.read(name), mounts));
        }
        return all;
    }

    /** One device by kernel name. */
    public static DeviceInfo describe(String name) throws IOException {
        return info(Paths.get("/dev", name), SysfsDevice.read(name), MountInfo.byDevice());
    }

    /**
     * Why a device must not be exported, or null: it (or, for a whole disk, one of its partitions) is mounted or
     * held by a stacked driver. O_EXCL catches these too, but cannot say which.
     */
    public static String busyReason(String name) throws IOException {
        Map<String, List<String>> mounts = MountInfo.byDevice();
        for (String n : SysfsDevice.names()) {
            SysfsDevice d = SysfsDevice.read(n);
            if (!n.equals(name) && !(d.partition() && d.disk().equals(name))) {
                continue;
            }
            String what = n.equals(name) ? "it" : "its partition " + n;
            List<String> at = mounts.getOrDefault(d.devNumber(), List.of());
            if (!at.isEmpty()) {
                return what + " is mounted on " + String.join(", ", at);
            }
            if (!d.holders().isEmpty()) {
                return what + " is held by " + String.join(", ", d.holders()) + " (device-mapper, md or similar)";
            }
        }
        return null;
    }

    /** The listing as a text table. */
    public String table() throws IOException {
        return DeviceTable.render(devices());
    }

    static DeviceInfo info(Path node, SysfsDevice d, Map<String, List<String>> mounts) {
        // An unbound loop device, a drive without medium, an unconfigured zram: nothing to export.
        boolean empty = (d.loopBacking() != null && d.loopBacking().isEmpty()) || d.sizeBytes() == 0;
        String kind = d.loopBacking() != null ? "loop" : d.partition() ? "partition" : "disk";
        return new DeviceInfo(node.toString(), kind, d.sizeBytes(), d.queue().logicalBlockSize(),
                d.queue().physicalBlockSize(), d.queue().rotational(), d.queue().discardMaxBytes() > 0,
                d.queue().writeBack(), d.readOnly(), d.model(), d.serial(),
                mounts.getOrDefault(d.devNumber(), List.of()), d.holders(), empty, backends(d, empty),
                DevicePaths.stableLinks(node));
    }

    /**
     * block drives anything with a medium; scsi needs a whole disk with a SCSI generic node; ata additionally a
     * SAT layer, which libata announces with the INQUIRY vendor "ATA" (SAT-3 10.3.2: VENDOR IDENTIFICATION).
     */
    static List<String> backends(SysfsDevice d, boolean empty) {
        List<String> b = new ArrayList<>();
        if (!empty) {
            b.add("block");
        }
        if (!d.partition() && d.sgDevice() != null) {
            b.add("scsi");
            if ("ATA".equals(d.vendor())) {
                b.add("ata");
            }
        }
        return b;
    }
}
