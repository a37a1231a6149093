package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The iSCSI settings of one target an admin may change, after LIO's TPG attributes and parameters. Every field is
 * optional: an absent one keeps the default below. A change applies to logins from then on; sessions already
 * logged in keep what they negotiated.
 *
 * @param maxSessions              Normal sessions the target accepts at once (1-65535, the TSIH space); a login
 *                                 beyond them is refused with "out of resources" (RFC 7143 11.13.5)
 * @param commandsPerSession       the CmdSN window of a session (LIO's default_cmdsn_depth, 1-1024): MaxCmdSN never
 *                                 exceeds ExpCmdSN + this - 1, less the commands still in flight
 * @param maxRecvDataSegmentLength the largest data segment the target accepts (RFC 7143 13.12, 512-16777215)
 * @param maxBurstLength           the target's MaxBurstLength offer (RFC 7143 13.13, 512-16777215)
 * @param firstBurstLength         the target's FirstBurstLength offer (RFC 7143 13.14, 512-16777215, at most
 *                                 maxBurstLength; when absent, the default but never above maxBurstLength)
 * @param maxOutstandingR2T        the target's MaxOutstandingR2T offer (RFC 7143 13.17, 1-65535)
 * @param immediateData            whether the target accepts immediate data (RFC 7143 13.11, result: AND)
 * @param initialR2T               whether the target insists on an R2T before any write data (RFC 7143 13.10,
 *                                 result: OR)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IscsiTargetConfig(
        Integer maxSessions,
        Integer commandsPerSession,
        Integer maxRecvDataSegmentLength,
        Integer maxBurstLength,
        Integer firstBurstLength,
        Integer maxOutstandingR2T,
        Boolean immediateData,
        Boolean initialR2T) {

    /** Enough for a cluster's worth of initiators with a few paths each, while bounding what one target takes. */
    public static final int DEFAULT_MAX_SESSIONS = 256;
    public static final int DEFAULT_COMMANDS_PER_SESSION = 128;
    public static final int DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH = 262144;
    public static final int DEFAULT_MAX_BURST_LENGTH = 1048576;
    public static final int DEFAULT_FIRST_BURST_LENGTH = 262144;
    public static final int DEFAULT_MAX_OUTSTANDING_R2T = 16;
    public static final boolean DEFAULT_IMMEDIATE_DATA = true;
    public static final boolean DEFAULT_INITIAL_R2T = false;

    /** TSIH is 16 bits and never 0 (RFC 7143 11.12.6), so no more sessions can exist. */
    public static final int MAX_SESSIONS_LIMIT = 65535;
    /** The requests one event loop may have in the backends: a larger window could never be used. */
    public static final int COMMANDS_PER_SESSION_LIMIT = 1024;
    /** RFC 7143 13.12-13.14: data segment and burst lengths are 512 to 2^24-1. */
    public static final int MIN_LENGTH = 512;
    public static final int MAX_LENGTH = 16777215;
    /** RFC 7143 13.17: MaxOutstandingR2T is 1 to 65535. */
    public static final int MAX_OUTSTANDING_R2T_LIMIT = 65535;

    /** All defaults. */
    public static final IscsiTargetConfig DEFAULTS = new IscsiTargetConfig(null, null, null, null, null, null, null, null);

    public int maxSessionsOrDefault() {
        return maxSessions != null ? maxSessions : DEFAULT_MAX_SESSIONS;
    }

    public int maxBurstLengthOrDefault() {
        return maxBurstLength != null ? maxBurstLength : DEFAULT_MAX_BURST_LENGTH;
    }

}
