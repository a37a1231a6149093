package dev.ferry.backend.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Device node names: resolving configured paths (often /dev/disk/by-id links) and finding the stable ones. */
public final class DevicePaths {
    public static final Path BY_ID = Paths.get("/dev/disk/by-id");
    private static final Path SCSI_GENERIC = Paths.get("/sys/class/scsi_generic");

    private DevicePaths() {
    }

    /** Follows every symlink; the message names the configured path when it (or its target) does not exist. */
    public static Path resolve(String configured) throws IOException {
        try {
            return Paths.get(configured).toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(configured, null, "no such device or file (vanished or never present)");
        }
    }

    /**
     * The kernel block device name of a resolved node: {@code /dev/sda1} gives {@code sda1}, and a SCSI generic
     * node {@code /dev/sg2} gives the disk it belongs to. Null for a regular file or an sg node without a disk.
     */
    public static String blockName(Path node) {
        String base = node.getFileName().toString();
        if (!node.startsWith("/dev")) {
            return null;
        }
        if (Files.exists(SysfsDevice.CLASS_BLOCK.resolve(base))) {
            return base;
        }
        Path sgBlock = SCSI_GENERIC.resolve(base).resolve("device/block");
        if (Files.isDirectory(sgBlock)) {
            try (Stream<Path> s = Files.list(sgBlock)) {
                return s.map(p -> p.getFileName().toString()).findFirst().orElse(null);
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /** The /dev/disk/by-id links that resolve to {@code node}, sorted; empty where udev made none. */
    public static List<String> stableLinks(Path node) {
        return stableLinks(node, BY_ID);
    }

    static List<String> stableLinks(Path node, Path linkDir) {
        List<String> links = new ArrayList<>();
        if (!Files.isDirectory(linkDir)) {
            return links;
        }
        try (Stream<Path> s = Files.list(linkDir)) {
            s.forEach(link -> {
                try {
                    if (link.toRealPath().equals(node)) {
                        links.add(link.toString());
                    }
                } catch (IOException e) {
                    // a dangling link points at nothing we list
                }
            });
        } catch (IOException e) {
            return links;
        }
        links.sort(null);
        return links;
    }
}
