package dev.ferry.backend.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads single-value sysfs attributes; a missing or unreadable attribute yields the given default. */
final class Sysfs {
    private Sysfs() {
    }

    static String string(Path file, String missing) {
        try {
            return Files.readString(file).trim();
        } catch (IOException | SecurityException e) {
            return missing;
        }
    }

    static long number(Path file, long missing) {
        String s = string(file, null);
        if (s == null) {
            return missing;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return missing;
        }
    }
}
