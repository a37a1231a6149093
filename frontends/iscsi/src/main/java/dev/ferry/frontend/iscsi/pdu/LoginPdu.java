package dev.ferry.frontend.iscsi.pdu;

/** Login Request (RFC 7143 11.12) and Login Response (11.13). */
public final class LoginPdu {
    /** 11.12.1 flags: T (transit), C (continue), CSG and NSG (bits 2-3 and 0-1). */
    public static final int FLAG_TRANSIT = 0x80;
    public static final int FLAG_CONTINUE = 0x40;
    /** 11.12.3 stages. */
    public static final int STAGE_SECURITY = 0;
    public static final int STAGE_OPERATIONAL = 1;
    public static final int STAGE_FULL_FEATURE = 3;
    public static final int OFFSET_VERSION_MAX = 2;  // 11.12.4 (request); Version-max in the response
    public static final int OFFSET_VERSION_MIN = 3;  // 11.12.5 (request); Version-active in the response (11.13.2)
    public static final int OFFSET_ISID = 8;         // 11.12.5
    public static final int OFFSET_TSIH = 14;        // 11.12.6
    public static final int OFFSET_CID = 20;         // 11.12.7
    public static final int OFFSET_CMDSN = 24;
    public static final int OFFSET_EXP_STATSN = 28;
    public static final int OFFSET_STATUS_CLASS = 36;  // 11.13.5
    public static final int OFFSET_STATUS_DETAIL = 37;
    /** RFC 7143 11.12.4: the only version defined is 0x00. */
    public static final int VERSION = 0x00;

    /** 11.13.5 Status-Class and Status-Detail as one 16-bit value. */
    public static final int SUCCESS = 0x0000;
    public static final int TARGET_MOVED_TEMPORARILY = 0x0101;
    public static final int INITIATOR_ERROR = 0x0200;
    public static final int AUTHENTICATION_FAILURE = 0x0201;
    public static final int AUTHORIZATION_FAILURE = 0x0202;
    public static final int NOT_FOUND = 0x0203;
    public static final int TARGET_REMOVED = 0x0204;
    public static final int UNSUPPORTED_VERSION = 0x0205;
    public static final int TOO_MANY_CONNECTIONS = 0x0206;
    public static final int MISSING_PARAMETER = 0x0207;
    public static final int CANT_INCLUDE_IN_SESSION = 0x0208;
    public static final int SESSION_TYPE_NOT_SUPPORTED = 0x0209;
    public static final int SESSION_DOES_NOT_EXIST = 0x020a;
    public static final int INVALID_DURING_LOGIN = 0x020b;
    public static final int TARGET_ERROR = 0x0300;
    public static final int SERVICE_UNAVAILABLE = 0x0301;
    public static final int OUT_OF_RESOURCES = 0x0302;

    private LoginPdu() {
    }

    /** Status-Class/Status-Detail with its 11.13.5 name, e.g. {@code 02/01 (authentication failure)}, for logs. */
    public static String statusName(int status) {
        String name = switch (status) {
            case SUCCESS -> "success";
            case TARGET_MOVED_TEMPORARILY -> "target moved temporarily";
            case INITIATOR_ERROR -> "initiator error";
            case AUTHENTICATION_FAILURE -> "authentication failure";
            case AUTHORIZATION_FAILURE -> "authorization failure";
            case NOT_FOUND -> "not found";
            case TARGET_REMOVED -> "target removed";
            case UNSUPPORTED_VERSION -> "unsupported version";
            case TOO_MANY_CONNECTIONS -> "too many connections";
            case MISSING_PARAMETER -> "missing parameter";
            case CANT_INCLUDE_IN_SESSION -> "can't include in session";
            case SESSION_TYPE_NOT_SUPPORTED -> "session type not supported";
            case SESSION_DOES_NOT_EXIST -> "session does not exist";
            case INVALID_DURING_LOGIN -> "invalid during login";
            case TARGET_ERROR -> "target error";
            case SERVICE_UNAVAILABLE -> "service unavailable";
            case OUT_OF_RESOURCES -> "out of resources";
            default -> "unknown";
        };
        return String.format("%02x/%02x (%s)", status >> 8, status & 0xff, name);
    }

    public static boolean transit(IscsiPdu p) { return (p.flags() & FLAG_TRANSIT) != 0; }
    public static boolean cont(IscsiPdu p) { return (p.flags() & FLAG_CONTINUE) != 0; }
    public static int csg(IscsiPdu p) { return (p.flags() >> 2) & 3; }
    public static int nsg(IscsiPdu p) { return p.flags() & 3; }
    public static int versionMax(IscsiPdu p) { return p.u8(OFFSET_VERSION_MAX); }
    public static int versionMin(IscsiPdu p) { return p.u8(OFFSET_VERSION_MIN); }
    public static long isid(IscsiPdu p) { return p.u48(OFFSET_ISID); }
    public static int tsih(IscsiPdu p) { return p.u16(OFFSET_TSIH); }
    public static int cid(IscsiPdu p) { return p.u16(OFFSET_CID); }
    public static int status(IscsiPdu p) { return p.u16(OFFSET_STATUS_CLASS); }

    public static int stageFlags(boolean transit, boolean cont, int csg, int nsg) {
        return (transit ? FLAG_TRANSIT : 0) | (cont ? FLAG_CONTINUE : 0) | ((csg & 3) << 2) | (transit ? nsg & 3 : 0);
    }

    public static IscsiPdu request(int flags, long isid, int tsih, int itt, int cid, int cmdSn, int expStatSn) {
        return IscsiPdu.create(Opcode.LOGIN_REQUEST).immediate(true).flags(flags).put48(OFFSET_ISID, isid)
                .put16(OFFSET_TSIH, tsih).itt(itt).put16(OFFSET_CID, cid).put32(OFFSET_CMDSN, cmdSn)
                .put32(OFFSET_EXP_STATSN, expStatSn);
    }

    public static IscsiPdu response(int flags, long isid, int tsih, int itt, int status) {
        return IscsiPdu.create(Opcode.LOGIN_RESPONSE).flags(flags).put8(OFFSET_VERSION_MAX, VERSION)
                .put8(OFFSET_VERSION_MIN, VERSION).put48(OFFSET_ISID, isid).put16(OFFSET_TSIH, tsih).itt(itt)
                .put16(OFFSET_STATUS_CLASS, status);
    }
}
