package dev.ferry.backend.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.request.CompletionStatus;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/** The JDK's strerror messages map to the statuses an initiator acts on. */
class IoFailuresTest {
    @Test
    void diskFullIsNoSpace() {
        assertEquals(CompletionStatus.NO_SPACE, IoFailures.status(new IOException("No space left on device"), true));
        assertEquals(CompletionStatus.NO_SPACE, IoFailures.status(new IOException("Disk quota exceeded"), true));
    }

    @Test
    void ioErrorsAreMediumErrorsOfTheRightDirection() {
        assertEquals(CompletionStatus.MEDIUM_ERROR_READ, IoFailures.status(new IOException("Input/output error"), false));
        assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, IoFailures.status(new IOException("Input/output error"), true));
    }

    @Test
    void aClosedChannelIsNotReady() {
        assertEquals(CompletionStatus.UNIT_NOT_READY, IoFailures.status(new ClosedChannelException(), false));
    }
}
