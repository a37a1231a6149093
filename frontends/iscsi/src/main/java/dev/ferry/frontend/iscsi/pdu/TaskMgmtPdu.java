package dev.ferry.frontend.iscsi.pdu;

/** Task Management Function Request (RFC 7143 11.5) and Response (11.6). */
public final class TaskMgmtPdu {
    /** 11.5.1 Function codes. */
    public static final int ABORT_TASK = 1;
    public static final int ABORT_TASK_SET = 2;
    public static final int CLEAR_ACA = 3;
    public static final int CLEAR_TASK_SET = 4;
    public static final int LOGICAL_UNIT_RESET = 5;
    public static final int TARGET_WARM_RESET = 6;
    public static final int TARGET_COLD_RESET = 7;
    public static final int TASK_REASSIGN = 8;
    /** 11.6.1 Response codes. */
    public static final int FUNCTION_COMPLETE = 0;
    public static final int TASK_DOES_NOT_EXIST = 1;
    public static final int LUN_DOES_NOT_EXIST = 2;
    public static final int TASK_STILL_ALLEGIANT = 3;
    public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int FUNCTION_NOT_SUPPORTED = 5;
    public static final int AUTHORIZATION_FAILED = 6;
    public static final int FUNCTION_REJECTED = 255;

    public static final int OFFSET_REFERENCED_TASK_TAG = 20; // 11.5.2
    public static final int OFFSET_REF_CMDSN = 32;           // 11.5.3
    public static final int OFFSET_EXP_DATASN = 36;          // 11.5.4
    public static final int OFFSET_RESPONSE = 2;

    private TaskMgmtPdu() {
    }

    public static int function(IscsiPdu p) { return p.flags() & 0x7f; }
    public static int referencedTaskTag(IscsiPdu p) { return p.u32(OFFSET_REFERENCED_TASK_TAG); }
    public static int refCmdSn(IscsiPdu p) { return p.u32(OFFSET_REF_CMDSN); }
    public static int response(IscsiPdu p) { return p.u8(OFFSET_RESPONSE); }

    public static IscsiPdu request(int function, long lun, int itt, int refTag, int cmdSn, int expStatSn, int refCmdSn) {
        return IscsiPdu.create(Opcode.TASK_MGMT_REQUEST).immediate(true).flags(0x80 | (function & 0x7f)).lun(lun)
                .itt(itt).put32(OFFSET_REFERENCED_TASK_TAG, refTag).put32(24, cmdSn).put32(28, expStatSn)
                .put32(OFFSET_REF_CMDSN, refCmdSn);
    }

    public static IscsiPdu response(int itt, int response) {
        return IscsiPdu.create(Opcode.TASK_MGMT_RESPONSE).flags(0x80).put8(OFFSET_RESPONSE, response).itt(itt);
    }
}
