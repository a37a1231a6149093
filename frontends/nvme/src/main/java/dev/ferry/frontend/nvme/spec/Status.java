package dev.ferry.frontend.nvme.spec;

/**
 * Completion status field values (NVMe Base 2.0 4.2.3): bits 7:0 SC, 10:8 SCT, 13 M, 14 DNR of the 15-bit Status
 * Field that sits in CQE DW3 bits 31:17. Constants carry DNR where a retry cannot help.
 */
public final class Status {
    private Status() {
    }

    public static final int DNR = 1 << 14;

    public static final int SCT_GENERIC = 0;
    public static final int SCT_COMMAND_SPECIFIC = 1;
    public static final int SCT_MEDIA = 2;

    public static int of(int sct, int sc, boolean dnr) {
        return (dnr ? DNR : 0) | (sct << 8) | sc;
    }

    public static final int SUCCESS = 0;

    // Generic command status (4.2.3.1 Figure 100)
    public static final int INVALID_OPCODE = of(SCT_GENERIC, 0x01, true);
    public static final int INVALID_FIELD = of(SCT_GENERIC, 0x02, true);
    public static final int INTERNAL_ERROR = of(SCT_GENERIC, 0x06, false);
    public static final int ABORT_REQUESTED = of(SCT_GENERIC, 0x07, false);
    public static final int ABORTED_FAILED_FUSED = of(SCT_GENERIC, 0x09, false);
    public static final int ABORTED_MISSING_FUSED = of(SCT_GENERIC, 0x0A, true);
    public static final int INVALID_NAMESPACE = of(SCT_GENERIC, 0x0B, true);
    public static final int COMMAND_SEQUENCE_ERROR = of(SCT_GENERIC, 0x0C, true);
    public static final int DATA_SGL_LENGTH_INVALID = of(SCT_GENERIC, 0x0F, true);
    public static final int SGL_DESCRIPTOR_TYPE_INVALID = of(SCT_GENERIC, 0x11, true);
    public static final int SGL_OFFSET_INVALID = of(SCT_GENERIC, 0x16, true);
    public static final int NAMESPACE_WRITE_PROTECTED = of(SCT_GENERIC, 0x20, true);
    /** Retryable: the controller could not take the command now (1.4 added it for exactly this). */
    public static final int COMMAND_INTERRUPTED = of(SCT_GENERIC, 0x21, false);
    /** TCP 1.0 3.5.2: a data digest error is not fatal; the command ends with this and may be retried. */
    public static final int TRANSIENT_TRANSPORT_ERROR = of(SCT_GENERIC, 0x22, false);
    /** A Reservation Report asking for the 64-bit host identifier format from a fabrics host (Base 2.0 7.8). */
    public static final int HOST_ID_INCONSISTENT_FORMAT = of(SCT_GENERIC, 0x18, true);
    // NVM command set generic status (NVM Command Set 1.0 3.3.3.1 Figure 16)
    public static final int LBA_OUT_OF_RANGE = of(SCT_GENERIC, 0x80, true);
    public static final int CAPACITY_EXCEEDED = of(SCT_GENERIC, 0x81, true);
    public static final int NAMESPACE_NOT_READY = of(SCT_GENERIC, 0x82, false);
    public static final int RESERVATION_CONFLICT = of(SCT_GENERIC, 0x83, true);
    /** NVM Command Set 1.0 Figure 17: a Copy beyond MSSRL, MCL or MSRC. */
    public static final int COMMAND_SIZE_LIMIT_EXCEEDED = of(SCT_COMMAND_SPECIFIC, 0x83, true);

    // Command specific status (4.2.3.2 Figure 101)
    public static final int ASYNC_EVENT_LIMIT_EXCEEDED = of(SCT_COMMAND_SPECIFIC, 0x05, true);
    public static final int INVALID_LOG_PAGE = of(SCT_COMMAND_SPECIFIC, 0x09, true);
    public static final int FEATURE_NOT_SAVEABLE = of(SCT_COMMAND_SPECIFIC, 0x0D, true);
    public static final int IO_COMMAND_SET_COMBINATION_REJECTED = of(SCT_COMMAND_SPECIFIC, 0x2B, true);
    // Fabrics command specific status (Base 2.0 Figure 101, Connect/Disconnect)
    public static final int CONNECT_INCOMPATIBLE_FORMAT = of(SCT_COMMAND_SPECIFIC, 0x80, true);
    public static final int CONNECT_CONTROLLER_BUSY = of(SCT_COMMAND_SPECIFIC, 0x81, false);
    public static final int CONNECT_INVALID_PARAMETERS = of(SCT_COMMAND_SPECIFIC, 0x82, true);
    public static final int CONNECT_INVALID_HOST = of(SCT_COMMAND_SPECIFIC, 0x84, true);
    public static final int INVALID_QUEUE_TYPE = of(SCT_COMMAND_SPECIFIC, 0x85, true);

    // Media and data integrity errors (4.2.3.3 Figure 102)
    public static final int WRITE_FAULT = of(SCT_MEDIA, 0x80, false);
    public static final int UNRECOVERED_READ_ERROR = of(SCT_MEDIA, 0x81, false);
    public static final int COMPARE_FAILURE = of(SCT_MEDIA, 0x85, true);
}
