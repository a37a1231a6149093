package dev.ferry.cli.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Replaces a file so that a crash at any moment leaves either the old or the new content: write a temporary file
 * in the same directory, fsync it, rename it over the target, fsync the directory (so the rename itself is
 * durable).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Replaces {@code file}, keeping its previous content as {@code file.bak} (written the same way).
     *
     * @param permissions of a new file; an existing file keeps its own
     */
    public static void replaceKeepingBackup(Path file, String content, Set<PosixFilePermission> permissions)
            throws IOException {
        Path target = file.toAbsolutePath();
        Set<PosixFilePermission> mode = Files.exists(target) ? Files.getPosixFilePermissions(target) : permissions;
        if (Files.exists(target)) {
            replace(target.resolveSibling(target.getFileName() + ".bak"), Files.readAllBytes(target), mode);
        }
        replace(target, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    /** Replaces (or creates) {@code file} with {@code content}, with these permissions. */
    public static void replace(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        // createTempFile makes the file 0600, so a secret is never readable by others, not even briefly.
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, permissions);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
