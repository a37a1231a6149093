package dev.ferry.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Path-valued configuration fields (stateDirectory, a backstore's path, CHAP secret files): a string the file system
 * cannot name (on Linux, one holding a NUL character) is a problem to report like any other, not an
 * InvalidPathException escaping validation from whichever check touches the file first.
 */
final class ConfigPaths {
    private ConfigPaths() {
    }

    /** @return null when {@code value} names a path, else why not (without quoting it: it may hold control characters) */
    static String problem(String value) {
        try {
            Path.of(value);
            return null;
        } catch (InvalidPathException e) {
            return "is not a valid path (" + e.getReason() + ")";
        }
    }
}
