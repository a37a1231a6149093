package dev.ferry.frontend.nvmetcp;

import java.time.Duration;

/**
 * What one NVMe/TCP connection may make Ferry wait for or hold beyond the controller model's own bounds (SQSIZE
 * commands of at most MDTS bytes each): how long a connection may take to complete ICReq and Connect, how long a
 * host that stopped reading gets for the last PDUs before its connection is closed anyway, the queued outbound
 * bytes above which a connection stops reading until the host has taken them, and how many connections a port and
 * a host address may have open at once.
 *
 * @param connectDeadline    from accept to a successful Connect, however the host trickles its bytes
 * @param closeGrace         from a fatal error or a close request to the close, if the last PDUs are not out by then
 * @param writeHighWaterMark outbound bytes above which the connection is unwritable and stops reading
 * @param connectionsPerPortal  TCP connections (queues) one listening port keeps at once; more are closed on accept
 * @param connectionsPerAddress TCP connections from one host IP address at once, over all ports
 */
record TcpLimits(Duration connectDeadline, Duration closeGrace, int writeHighWaterMark, int connectionsPerPortal,
                 int connectionsPerAddress) {
    static final String CONNECT_TIMEOUT_PROPERTY = "ferry.nvmetcp.connectTimeoutSeconds";
    static final String WRITE_HIGH_WATER_MARK_PROPERTY = "ferry.nvmetcp.writeHighWaterMark";
    static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
    static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(5);
    static final int DEFAULT_WRITE_HIGH_WATER_MARK = 1024 * 1024;
    static final String CONNECTIONS_PER_PORTAL_PROPERTY = "ferry.nvmetcp.connectionsPerPortal";
    static final String CONNECTIONS_PER_ADDRESS_PROPERTY = "ferry.nvmetcp.connectionsPerAddress";
    /** As iSCSI's: a port serves many hosts, each with a queue per CPU to each subsystem. */
    static final int DEFAULT_CONNECTIONS_PER_PORTAL = 4096;
    /** One host with an admin queue and a queue per CPU to each of several subsystems stays well within this. */
    static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 256;

    TcpLimits {
        if (connectDeadline.isNegative() || connectDeadline.isZero() || closeGrace.isNegative()
                || writeHighWaterMark < 2 || connectionsPerPortal < 1 || connectionsPerAddress < 1) {
            throw new IllegalArgumentException("invalid NVMe/TCP limits: connect deadline " + connectDeadline
                    + ", close grace " + closeGrace + ", write high water mark " + writeHighWaterMark
                    + ", connections per portal " + connectionsPerPortal + ", per address " + connectionsPerAddress);
        }
    }

    /** With the default connection counts (tests that bound only the deadlines and buffers). */
    TcpLimits(Duration connectDeadline, Duration closeGrace, int writeHighWaterMark) {
        this(connectDeadline, closeGrace, writeHighWaterMark, DEFAULT_CONNECTIONS_PER_PORTAL,
                DEFAULT_CONNECTIONS_PER_ADDRESS);
    }

    TcpLimits withConnections(int perPortal, int perAddress) {
        return new TcpLimits(connectDeadline, closeGrace, writeHighWaterMark, perPortal, perAddress);
    }

    /**
     * The defaults, with {@value #CONNECT_TIMEOUT_PROPERTY}, {@value #WRITE_HIGH_WATER_MARK_PROPERTY},
     * {@value #CONNECTIONS_PER_PORTAL_PROPERTY} and {@value #CONNECTIONS_PER_ADDRESS_PROPERTY} applied.
     */
    static TcpLimits fromSystemProperties() {
        return new TcpLimits(
                Duration.ofSeconds(Integer.getInteger(CONNECT_TIMEOUT_PROPERTY, DEFAULT_CONNECT_TIMEOUT_SECONDS)),
                DEFAULT_CLOSE_GRACE,
                Integer.getInteger(WRITE_HIGH_WATER_MARK_PROPERTY, DEFAULT_WRITE_HIGH_WATER_MARK),
                Integer.getInteger(CONNECTIONS_PER_PORTAL_PROPERTY, DEFAULT_CONNECTIONS_PER_PORTAL),
                Integer.getInteger(CONNECTIONS_PER_ADDRESS_PROPERTY, DEFAULT_CONNECTIONS_PER_ADDRESS));
    }

    /** Reading resumes once the queued outbound bytes fell to half the high water mark. */
    int writeLowWaterMark() {
        return writeHighWaterMark / 2;
    }
}
