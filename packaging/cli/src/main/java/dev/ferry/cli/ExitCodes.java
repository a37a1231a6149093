package dev.ferry.cli;

/** The exit codes scripts can act on. Wrong options or arguments exit with picocli's own usage code, 2. */
final class ExitCodes {
    static final int OK = 0;
    /** The configuration was refused; nothing was opened. */
    static final int INVALID_CONFIG = 3;
    /** A backstore could not be opened or a portal could not be bound. */
    static final int START_FAILED = 4;

    private ExitCodes() {
    }
}
