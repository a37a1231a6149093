package dev.ferry.cli.control;

import java.io.IOException;
import java.nio.file.Path;

/** No daemon answers on the control socket. */
public final class DaemonUnreachableException extends IOException {
    public DaemonUnreachableException(Path socket, IOException cause) {
        super("cannot reach the ferry daemon at " + socket + " (" + cause.getMessage()
                + "); is 'ferry serve' running? (choose the socket with --control-socket)", cause);
    }
}
