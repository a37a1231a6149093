package dev.ferry.frontend.iscsi.session;

/**
 * What one peer can make the iSCSI frontend hold before it has proved anything, each bounded before it is taken.
 * Frontend-wide; every value may be set with a {@code ferry.iscsi.*} system property ({@link #fromSystemProperties}).
 *
 * @param loginTimeoutMillis       a connection not in full feature phase this long after it was accepted is closed,
 *                                 however it trickles bytes (absolute, not an idle timer)
 * @param writeBufferBytes         write data one connection may have buffers reserved for at once (each write
 *                                 counts its whole length; one write always proceeds when no other holds any): a
 *                                 write beyond waits for its R2Ts until earlier ones complete, or, when unsolicited
 *                                 data is already on its way, ends with TASK SET FULL; data parked behind a CmdSN gap
 *                                 may not exceed it either
 * @param connectionsPerPortal     TCP connections one listening portal keeps at once; more are closed on accept
 * @param connectionsPerAddress    TCP connections from one initiator IP address at once, over all portals
 * @param discoverySessions        discovery sessions at once over the whole frontend (logins beyond: 03/02)
 */
public record ConnectionLimits(long loginTimeoutMillis, long writeBufferBytes, int connectionsPerPortal,
                               int connectionsPerAddress, int discoverySessions) {

    /** LIO's login timeout (TA_LOGIN_TIMEOUT) is 15 s; a login is a handful of round trips. */
    public static final long DEFAULT_LOGIN_TIMEOUT_MILLIS = 15_000;
    /** The largest single write (64 MiB): a session can still keep several 1 MiB writes collecting data at once. */
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 64L << 20;
    public static final int DEFAULT_CONNECTIONS_PER_PORTAL = 4096;
    /** One host with a session on each of many targets, plus multipath, stays well within this. */
    public static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 256;
    public static final int DEFAULT_DISCOVERY_SESSIONS = 64;

    public static final ConnectionLimits DEFAULT = new ConnectionLimits(DEFAULT_LOGIN_TIMEOUT_MILLIS,
            DEFAULT_WRITE_BUFFER_BYTES, DEFAULT_CONNECTIONS_PER_PORTAL, DEFAULT_CONNECTIONS_PER_ADDRESS,
            DEFAULT_DISCOVERY_SESSIONS);

    public ConnectionLimits {
        if (loginTimeoutMillis < 1 || writeBufferBytes < 1 || connectionsPerPortal < 1 || connectionsPerAddress < 1
                || discoverySessions < 0) {
            throw new IllegalArgumentException("iSCSI connection limits must be positive: " + this);
        }
    }

    /** The defaults with {@code ferry.iscsi.loginTimeoutSeconds}, {@code .writeBufferMiB}, ... in their place. */
    public static ConnectionLimits fromSystemProperties() {
        return new ConnectionLimits(
                Long.getLong("ferry.iscsi.loginTimeoutSeconds", DEFAULT_LOGIN_TIMEOUT_MILLIS / 1000) * 1000,
                Long.getLong("ferry.iscsi.writeBufferMiB", DEFAULT_WRITE_BUFFER_BYTES >> 20) << 20,
                Integer.getInteger("ferry.iscsi.connectionsPerPortal", DEFAULT_CONNECTIONS_PER_PORTAL),
                Integer.getInteger("ferry.iscsi.connectionsPerAddress", DEFAULT_CONNECTIONS_PER_ADDRESS),
                Integer.getInteger("ferry.iscsi.discoverySessions", DEFAULT_DISCOVERY_SESSIONS));
    }

    public ConnectionLimits withLoginTimeoutMillis(long millis) {
        return new ConnectionLimits(millis, writeBufferBytes, connectionsPerPortal, connectionsPerAddress,
                discoverySessions);
    }

    public ConnectionLimits withWriteBufferBytes(long bytes) {
        return new ConnectionLimits(loginTimeoutMillis, bytes, connectionsPerPortal, connectionsPerAddress,
                discoverySessions);
    }

    public ConnectionLimits withConnections(int perPortal, int perAddress) {
        return new ConnectionLimits(loginTimeoutMillis, writeBufferBytes, perPortal, perAddress, discoverySessions);
    }

    public ConnectionLimits withDiscoverySessions(int sessions) {
        return new ConnectionLimits(loginTimeoutMillis, writeBufferBytes, connectionsPerPortal, connectionsPerAddress,
                sessions);
    }
}
