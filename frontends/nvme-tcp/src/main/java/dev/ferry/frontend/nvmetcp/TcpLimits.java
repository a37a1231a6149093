package dev.ferry.frontend.nvmetcp;

import java.time.Duration;

/**
 * What one NVMe/TCP connection may make Ferry wait for or hold beyond the controller model's own bounds (SQSIZE
 * commands of at most MDTS bytes each): how long a connection may take to complete ICReq and Connect, how long a
 * host that stopped reading gets for the last PDUs before its connection is closed anyway, and the queued outbound
 * bytes above which a connection stops reading until the host has taken them.
 *
 * @param connectDeadline    from accept to a successful Connect, however the host trickles its bytes
 * @param closeGrace         from a fatal error or a close request to the close, if the last PDUs are not out by then
 * @param writeHighWaterMark outbound bytes above which the connection is unwritable and stops reading
 */
record TcpLimits(Duration connectDeadline, Duration closeGrace, int writeHighWaterMark) {
    static final String CONNECT_TIMEOUT_PROPERTY = "ferry.nvmetcp.connectTimeoutSeconds";
    static final String WRITE_HIGH_WATER_MARK_PROPERTY = "ferry.nvmetcp.writeHighWaterMark";
    static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
    static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(5);
    static final int DEFAULT_WRITE_HIGH_WATER_MARK = 1024 * 1024;

    TcpLimits {
        if (connectDeadline.isNegative() || connectDeadline.isZero() || closeGrace.isNegative()
                || writeHighWaterMark < 2) {
            throw new IllegalArgumentException("invalid NVMe/TCP limits: connect deadline " + connectDeadline
                    + ", close grace " + closeGrace + ", write high water mark " + writeHighWaterMark);
        }
    }

    /** The defaults, with {@value #CONNECT_TIMEOUT_PROPERTY} and {@value #WRITE_HIGH_WATER_MARK_PROPERTY} applied. */
    static TcpLimits fromSystemProperties() {
        return new TcpLimits(
                Duration.ofSeconds(Integer.getInteger(CONNECT_TIMEOUT_PROPERTY, DEFAULT_CONNECT_TIMEOUT_SECONDS)),
                DEFAULT_CLOSE_GRACE,
                Integer.getInteger(WRITE_HIGH_WATER_MARK_PROPERTY, DEFAULT_WRITE_HIGH_WATER_MARK));
    }

    /** Reading resumes once the queued outbound bytes fell to half the high water mark. */
    int writeLowWaterMark() {
        return writeHighWaterMark / 2;
    }
}
