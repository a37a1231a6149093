package dev.ferry.backend.block;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What sysfs knows about one block device (disk or partition) by its kernel name, e.g. {@code sda1}.
 *
 * @param name        kernel name ({@code /sys/class/block/NAME})
 * @param disk        the whole disk's kernel name (same as name unless a partition)
 * @param partition   a partition of {@code disk}
 * @param devNumber   "major:minor" as in {@code dev} and /proc/self/mountinfo
 * @param sizeBytes   size (sysfs {@code size} counts 512-byte sectors whatever the block size)
 * @param readOnly    {@code ro} = 1
 * @param queue       the disk's queue limits
 * @param vendor      device/vendor (SCSI INQUIRY vendor; "ATA" under libata), empty when absent
 * @param model       device/model, empty when absent
 * @param serial      device/serial (NVMe, virtio), else the unit serial VPD page, else wwid; empty when absent
 * @param loopBacking a loop device's backing file; empty string for an unbound loop device; null if not a loop
 * @param holders     names in holders/ (dm, md, bcache stacked on top)
 * @param sgDevice    the SCSI generic node of the disk ({@code sg0}), null when it has none
 */
public record SysfsDevice(
        String name,
        String disk,
        boolean partition,
        String devNumber,
        long sizeBytes,
        boolean readOnly,
        SysfsQueue queue,
        String vendor,
        String model,
        String serial,
        String loopBacking,
        List<String> holders,
        String sgDevice) {

    public static final Path CLASS_BLOCK = Paths.get("/sys/class/block");
    private static final int SECTOR = 512;

    /** Reads a device by kernel name; {@link IOException} when there is no such device. */
    public static SysfsDevice read(String name) throws IOException {
        Path dir = CLASS_BLOCK.resolve(name);
        if (!Files.exists(dir.resolve("dev"))) {
            throw new IOException("no block device named " + name + " in " + CLASS_BLOCK);
        }
        Path real = dir.toRealPath();
        boolean partition = Files.exists(real.resolve("partition"));
        Path diskDir = partition ? real.getParent() : real;
        Path device = diskDir.resolve("device");
        String vendor = Sysfs.string(device.resolve("vendor"), "");
        String model = Sysfs.string(device.resolve("model"), "");
        if ("ATA".equals(vendor)) {
            model = ataModel(device.resolve("vpd_pg89"), model);
        }
        String loop = null;
        if (Files.isDirectory(diskDir.resolve("loop"))) {
            loop = Sysfs.string(diskDir.resolve("loop/backing_file"), "");
        } else if (diskDir.getFileName().toString().startsWith("loop")) {
            loop = ""; // loop devices show loop/ only while bound
        }
        return new SysfsDevice(
                name,
                diskDir.getFileName().toString(),
                partition,
                Sysfs.string(real.resolve("dev"), ""),
                Sysfs.number(real.resolve("size"), 0) * SECTOR,
                Sysfs.number(real.resolve("ro"), 0) == 1,
                SysfsQueue.read(diskDir),
                vendor,
                model,
                serial(diskDir, device),
                loop,
                list(real.resolve("holders")),
                sg(device));
    }

    private static String serial(Path diskDir, Path device) {
        String s = Sysfs.string(device.resolve("serial"), "");
        if (s.isEmpty()) {
            s = Sysfs.string(diskDir.resolve("serial"), ""); // virtio-blk
        }
        if (s.isEmpty()) {
            s = unitSerialPage(device.resolve("vpd_pg80"));
        }
        if (s.isEmpty()) {
            s = Sysfs.string(diskDir.resolve("wwid"), Sysfs.string(device.resolve("wwid"), ""));
        }
        return s;
    }

    /** SPC-4 7.8.16 Unit Serial Number VPD page: 4-byte header, then PAGE LENGTH bytes of ASCII. */
    private static String unitSerialPage(Path file) {
        try {
            byte[] p = Files.readAllBytes(file);
            if (p.length < 4) {
                return "";
            }
            int len = Math.min(((p[2] & 0xff) << 8) | (p[3] & 0xff), p.length - 4);
            return new String(p, 4, len, StandardCharsets.US_ASCII).trim();
        } catch (IOException | SecurityException e) {
            return "";
        }
    }

    /**
     * The full ATA model from the kernel's copy of the ATA Information VPD page (SAT-3 12.4.2): bytes 60-571 hold
     * the IDENTIFY DEVICE data, whose words 27-46 are the model, first character in each word's high byte. The
     * INQUIRY product in device/model is cut to 16 characters.
     */
    private static String ataModel(Path vpd89, String fallback) {
        try {
            byte[] p = Files.readAllBytes(vpd89);
            int at = 60 + 2 * 27;
            if (p.length < at + 40) {
                return fallback;
            }
            byte[] m = new byte[40];
            for (int i = 0; i < 40; i += 2) {
                m[i] = p[at + i + 1];
                m[i + 1] = p[at + i];
            }
            String s = new String(m, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? fallback : s;
        } catch (IOException | SecurityException e) {
            return fallback;
        }
    }

    private static String sg(Path device) {
        List<String> sg = list(device.resolve("scsi_generic"));
        return sg.isEmpty() ? null : sg.get(0);
    }

    private static List<String> list(Path dir) {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            } catch (IOException e) {
                return names;
            }
        }
        names.sort(null);
        return names;
    }

    /** Kernel names of every block device, disks before their partitions, in name order. */
    public static List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(CLASS_BLOCK)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
