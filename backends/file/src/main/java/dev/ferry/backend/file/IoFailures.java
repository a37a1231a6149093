package dev.ferry.backend.file;

import dev.ferry.core.request.CompletionStatus;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Maps an I/O failure to the status an initiator understands. Java reports errno only in the message
 * (strerror text), so the message is what is matched.
 */
final class IoFailures {
    private IoFailures() {
    }

    static CompletionStatus status(IOException e, boolean writing) {
        if (e instanceof ClosedChannelException) {
            return CompletionStatus.UNIT_NOT_READY;
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
            return CompletionStatus.NO_SPACE;
        }
        // EIO and anything else the device says: the initiator may retry or fail over; it must not see success.
        return writing ? CompletionStatus.MEDIUM_ERROR_WRITE : CompletionStatus.MEDIUM_ERROR_READ;
    }
}
