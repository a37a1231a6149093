package dev.ferry.cli;

/** The exit codes scripts can act on. Wrong options or arguments exit with picocli's own usage code, 2. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 2;
    /** The configuration or change was refused; nothing was opened or changed. */
    public static final int INVALID_CONFIG = 3;
    /** A backstore could not be opened or a portal could not be bound (at start, or for a change: then nothing changed). */
    public static final int START_FAILED = 4;
    /** No daemon answers on the control socket. */
    public static final int DAEMON_UNREACHABLE = 5;
    /** A stop (SIGTERM, SIGINT) did not finish within its deadline; the log names what did not stop. */
    public static final int SHUTDOWN_TIMEOUT = 6;

    private ExitCodes() {
    }
}
