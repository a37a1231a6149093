package dev.ferry.frontend.iscsi.pdu;

/** iSCSI opcodes (RFC 7143 11.2.1.2). */
public final class Opcode {
    // Initiator opcodes
    public static final int NOP_OUT = 0x00;            // 11.18
    public static final int SCSI_COMMAND = 0x01;       // 11.3
    public static final int TASK_MGMT_REQUEST = 0x02;  // 11.5
    public static final int LOGIN_REQUEST = 0x03;      // 11.12
    public static final int TEXT_REQUEST = 0x04;       // 11.10
    public static final int SCSI_DATA_OUT = 0x05;      // 11.7
    public static final int LOGOUT_REQUEST = 0x06;     // 11.14
    public static final int SNACK_REQUEST = 0x10;      // 11.16
    // Target opcodes
    public static final int NOP_IN = 0x20;             // 11.19
    public static final int SCSI_RESPONSE = 0x21;      // 11.4
    public static final int TASK_MGMT_RESPONSE = 0x22; // 11.6
    public static final int LOGIN_RESPONSE = 0x23;     // 11.13
    public static final int TEXT_RESPONSE = 0x24;      // 11.11
    public static final int SCSI_DATA_IN = 0x25;       // 11.8
    public static final int LOGOUT_RESPONSE = 0x26;    // 11.15
    public static final int R2T = 0x31;                // 11.8
    public static final int ASYNC_MESSAGE = 0x32;      // 11.9
    public static final int REJECT = 0x3f;             // 11.17

    private Opcode() {
    }

    /** Whether an initiator may send this opcode (vendor-specific 0x1c-0x1e are recognised, not supported). */
    public static boolean isInitiatorOpcode(int op) {
        return (op >= NOP_OUT && op <= LOGOUT_REQUEST) || op == SNACK_REQUEST || (op >= 0x1c && op <= 0x1e);
    }

    /** Whether an initiator PDU with this opcode may carry AHS: only SCSI Command (11.3: extended CDB, bidi length). */
    public static boolean mayCarryAhs(int op) {
        return op == SCSI_COMMAND;
    }

    public static String name(int op) {
        return switch (op) {
            case NOP_OUT -> "NOP-Out";
            case SCSI_COMMAND -> "SCSI Command";
            case TASK_MGMT_REQUEST -> "Task Management Request";
            case LOGIN_REQUEST -> "Login Request";
            case TEXT_REQUEST -> "Text Request";
            case SCSI_DATA_OUT -> "SCSI Data-Out";
            case LOGOUT_REQUEST -> "Logout Request";
            case SNACK_REQUEST -> "SNACK Request";
            case NOP_IN -> "NOP-In";
            case SCSI_RESPONSE -> "SCSI Response";
            case TASK_MGMT_RESPONSE -> "Task Management Response";
            case LOGIN_RESPONSE -> "Login Response";
            case TEXT_RESPONSE -> "Text Response";
            case SCSI_DATA_IN -> "SCSI Data-In";
            case LOGOUT_RESPONSE -> "Logout Response";
            case R2T -> "R2T";
            case ASYNC_MESSAGE -> "Async Message";
            case REJECT -> "Reject";
            default -> String.format("opcode 0x%02x", op);
        };
    }
}
