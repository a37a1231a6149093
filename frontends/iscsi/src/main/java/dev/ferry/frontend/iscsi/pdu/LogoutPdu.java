package dev.ferry.frontend.iscsi.pdu;

/** Logout Request (RFC 7143 11.14) and Logout Response (11.15). */
public final class LogoutPdu {
    /** 11.14.1 Reason codes. */
    public static final int CLOSE_SESSION = 0;
    public static final int CLOSE_CONNECTION = 1;
    public static final int REMOVE_CONNECTION_FOR_RECOVERY = 2;
    /** 11.15.1 Response codes. */
    public static final int CLOSED_SUCCESSFULLY = 0;
    public static final int CID_NOT_FOUND = 1;
    public static final int RECOVERY_NOT_SUPPORTED = 2;
    public static final int CLEANUP_FAILED = 3;
    public static final int OFFSET_CID = 20;
    public static final int OFFSET_RESPONSE = 2;
    public static final int OFFSET_TIME2WAIT = 40;   // 11.15.2
    public static final int OFFSET_TIME2RETAIN = 42; // 11.15.3

    private LogoutPdu() {
    }

    public static int reason(IscsiPdu p) { return p.flags() & 0x7f; }
    public static int cid(IscsiPdu p) { return p.u16(OFFSET_CID); }
    public static int response(IscsiPdu p) { return p.u8(OFFSET_RESPONSE); }

    public static IscsiPdu request(int reason, int itt, int cid, int cmdSn, int expStatSn) {
        return IscsiPdu.create(Opcode.LOGOUT_REQUEST).immediate(true).flags(0x80 | (reason & 0x7f)).itt(itt)
                .put16(OFFSET_CID, cid).put32(24, cmdSn).put32(28, expStatSn);
    }

    public static IscsiPdu response(int itt, int response, int time2Wait, int time2Retain) {
        return IscsiPdu.create(Opcode.LOGOUT_RESPONSE).flags(0x80).put8(OFFSET_RESPONSE, response).itt(itt)
                .put16(OFFSET_TIME2WAIT, time2Wait).put16(OFFSET_TIME2RETAIN, time2Retain);
    }
}
