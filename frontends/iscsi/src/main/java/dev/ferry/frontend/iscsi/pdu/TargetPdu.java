package dev.ferry.frontend.iscsi.pdu;

/**
 * The sequence-number fields every target-to-initiator response shares (RFC 7143 11.2.1: StatSN at 24, ExpCmdSN
 * at 28, MaxCmdSN at 32), set by the connection as it sends.
 */
public final class TargetPdu {
    public static final int OFFSET_STATSN = 24;
    public static final int OFFSET_EXP_CMDSN = 28;
    public static final int OFFSET_MAX_CMDSN = 32;

    private TargetPdu() {
    }

    public static int statSn(IscsiPdu p) { return p.u32(OFFSET_STATSN); }
    public static int expCmdSn(IscsiPdu p) { return p.u32(OFFSET_EXP_CMDSN); }
    public static int maxCmdSn(IscsiPdu p) { return p.u32(OFFSET_MAX_CMDSN); }

    public static IscsiPdu sequence(IscsiPdu p, int statSn, int expCmdSn, int maxCmdSn) {
        return p.put32(OFFSET_STATSN, statSn).put32(OFFSET_EXP_CMDSN, expCmdSn).put32(OFFSET_MAX_CMDSN, maxCmdSn);
    }

    /** CmdSN (24) and ExpStatSN (28) of an initiator command PDU. */
    public static int cmdSn(IscsiPdu p) { return p.u32(24); }
    public static int expStatSn(IscsiPdu p) { return p.u32(28); }
}
