package dev.ferry.core.backend;

/** A backend could not be opened or described; the message says why, for an admin. */
public class BackendException extends Exception {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
