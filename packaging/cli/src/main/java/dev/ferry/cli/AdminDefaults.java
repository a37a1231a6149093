package dev.ferry.cli;

/** Defaults shared by the daemon and the admin commands. */
public final class AdminDefaults {
    /**
     * The control socket of {@code serve} and the admin commands alike: where the packaged service listens
     * (systemd's RuntimeDirectory=ferry) unless FERRY_CONTROL_SOCKET names another (e.g. for a non-root user).
     */
    public static final String SOCKET = "${env:FERRY_CONTROL_SOCKET:-/run/ferry/ferry.sock}";

    private AdminDefaults() {
    }
}
