package dev.ferry.backend.file;

import dev.ferry.core.config.BackstoreConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what a backstore's {@code path} and {@code size} mean for the file on disk, and opens it: a missing file
 * is created sparse, a larger size grows an existing file sparsely, and a smaller size is refused, because
 * shrinking would destroy data.
 */
final class BackingFile {
    private BackingFile() {
    }

    /** Problems with this configuration given the file system as it is now; each names its field. */
    static List<String> problems(BackstoreConfig c) {
        List<String> problems = new ArrayList<>();
        if (c.path() == null || c.path().isBlank()) {
            problems.add("path: a file backstore needs a path (e.g. \"/var/lib/ferry/disk0.img\")");
            return problems;
        }
        Path path = Path.of(c.path());
        long wanted;
        try {
            wanted = c.sizeBytes();
        } catch (IllegalArgumentException e) {
            return problems; // the core reports a malformed size
        }
        int bs = c.blockSizeOrDefault();
        if (!Files.exists(path)) {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                problems.add("path: directory " + parent + " does not exist");
            }
            if (wanted < 0) {
                problems.add("size: " + path + " does not exist; give a size to create it (e.g. \"10G\")");
            }
            if (c.readOnlyOrDefault()) {
                problems.add("readOnly: " + path + " does not exist, so it cannot be opened read-only");
            }
            return problems;
        }
        if (!Files.isRegularFile(path)) {
            problems.add("path: " + path + " is not a regular file (block devices are not supported yet)");
            return problems;
        }
        long existing;
        try {
            existing = Files.size(path);
        } catch (IOException e) {
            problems.add("path: cannot read the size of " + path + ": " + e.getMessage());
            return problems;
        }
        if (wanted < 0) {
            if (existing == 0) {
                problems.add("size: " + path + " is empty; give a size to grow it");
            } else if (existing % bs != 0) {
                problems.add("size: " + path + " is " + existing + " bytes, not a multiple of the block size " + bs
                        + "; give a size to grow it to a multiple");
            }
        } else if (wanted < existing) {
            problems.add("size: " + c.size() + " (" + wanted + " bytes) is smaller than the existing file " + path
                    + " (" + existing + " bytes); Ferry never truncates a backing file: omit size or give at least "
                    + existing);
        } else if (wanted > existing && c.readOnlyOrDefault()) {
            problems.add("size: " + c.size() + " would grow " + path + " (" + existing
                    + " bytes), but the backstore is read-only");
        }
        return problems;
    }

    /**
     * Creates or grows the file as configured and opens it. {@link #problems} must have found nothing.
     *
     * @return the channel, positioned nowhere (all I/O is positional), and the capacity in bytes
     */
    static Opened open(BackstoreConfig c) throws IOException {
        Path path = Path.of(c.path());
        long wanted = c.sizeBytes();
        if (!c.readOnlyOrDefault()) {
            boolean created = !Files.exists(path);
            // RandomAccessFile.setLength is ftruncate(2): growing leaves a hole, so nothing is allocated.
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                if (wanted > raf.length()) {
                    raf.setLength(wanted);
                }
                raf.getChannel().force(true); // the new size, before any write is acknowledged against it
            }
            if (created) {
                syncParent(path);
            }
        }
        FileChannel channel = c.readOnlyOrDefault()
                ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Opened(channel, wanted < 0 ? channel.size() : wanted);
    }

    /**
     * A new file's directory entry is durable only once its directory is synced (fsync(2) on the file does not
     * cover it): without this a crash can lose the whole backing file after writes to it were acknowledged.
     */
    static void syncParent(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    record Opened(FileChannel channel, long capacityBytes) {
    }
}
