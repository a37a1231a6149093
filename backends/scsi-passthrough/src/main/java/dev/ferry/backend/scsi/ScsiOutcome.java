package dev.ferry.backend.scsi;

import dev.ferry.core.request.CompletionStatus;

/**
 * Maps what SG_IO returned (SCSI status, host and driver status, sense data) to a {@link CompletionStatus}.
 */
public final class ScsiOutcome {
    /** SAM-5 table 33 status codes. */
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int CONDITION_MET = 0x04;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int TASK_ABORTED = 0x40;

    /** scsi/scsi.h host byte (DID_*) values that matter here. */
    static final int DID_OK = 0x00;
    static final int DID_NO_CONNECT = 0x01;
    static final int DID_BUS_BUSY = 0x02;
    static final int DID_TIME_OUT = 0x03;
    static final int DID_BAD_TARGET = 0x04;
    static final int DID_ABORT = 0x05;
    static final int DID_RESET = 0x08;
    static final int DID_SOFT_ERROR = 0x0B;
    static final int DID_IMM_RETRY = 0x0C;
    static final int DID_REQUEUE = 0x0D;
    static final int DID_TRANSPORT_DISRUPTED = 0x0E;
    static final int DID_TRANSPORT_FAILFAST = 0x0F;
    /** driver byte: DRIVER_TIMEOUT; DRIVER_SENSE (08h) only says sense is valid. */
    static final int DRIVER_TIMEOUT = 0x06;

    /** SPC-4 Annex D additional sense codes used in the mapping. */
    static final int ASC_WRITE_ERROR = 0x0C;
    static final int ASC_UNRECOVERED_READ_ERROR = 0x11;
    static final int ASC_INVALID_OPCODE = 0x20;
    static final int ASC_LBA_OUT_OF_RANGE = 0x21;
    static final int ASC_INVALID_FIELD_IN_CDB = 0x24;
    static final int ASC_WRITE_PROTECTED = 0x27;
    /** 27h/07h SPACE ALLOCATION FAILED WRITE PROTECT: thin provisioning ran out. */
    static final int ASCQ_SPACE_ALLOCATION_FAILED = 0x07;

    private ScsiOutcome() {
    }

    /**
     * @param sense decoded sense data, null when none came back
     * @param write the command wrote to the medium (decides between the two medium errors)
     */
    public static CompletionStatus map(int status, int hostStatus, int driverStatus, Sense sense, boolean write) {
        if (hostStatus != DID_OK) {
            return host(hostStatus);
        }
        if ((driverStatus & 0x0f) == DRIVER_TIMEOUT) {
            return CompletionStatus.ABORTED;
        }
        return switch (status & 0xff) {
            case GOOD, CONDITION_MET -> CompletionStatus.GOOD;
            case CHECK_CONDITION -> sense == null ? CompletionStatus.INTERNAL_ERROR : sense(sense, write);
            case BUSY, TASK_SET_FULL -> CompletionStatus.BUSY;
            case RESERVATION_CONFLICT -> CompletionStatus.RESERVATION_CONFLICT;
            case TASK_ABORTED -> CompletionStatus.ABORTED;
            default -> CompletionStatus.INTERNAL_ERROR;
        };
    }

    /** SPC-4 table 27 sense keys, refined by ASC where the key alone is ambiguous. */
    public static CompletionStatus sense(Sense s, boolean write) {
        return switch (s.key()) {
            case Sense.NO_SENSE, Sense.RECOVERED_ERROR -> CompletionStatus.GOOD;
            case Sense.NOT_READY -> CompletionStatus.UNIT_NOT_READY;
            case Sense.MEDIUM_ERROR -> switch (s.asc()) {
                case ASC_UNRECOVERED_READ_ERROR -> CompletionStatus.MEDIUM_ERROR_READ;
                case ASC_WRITE_ERROR -> CompletionStatus.MEDIUM_ERROR_WRITE;
                default -> write ? CompletionStatus.MEDIUM_ERROR_WRITE : CompletionStatus.MEDIUM_ERROR_READ;
            };
            case Sense.ILLEGAL_REQUEST -> switch (s.asc()) {
                case ASC_LBA_OUT_OF_RANGE -> CompletionStatus.LBA_OUT_OF_RANGE;
                case ASC_INVALID_OPCODE -> CompletionStatus.UNSUPPORTED;
                default -> CompletionStatus.INVALID_FIELD;
            };
            case Sense.UNIT_ATTENTION -> CompletionStatus.BUSY; // retried by the backend first
            case Sense.DATA_PROTECT -> s.asc() == ASC_WRITE_PROTECTED && s.ascq() == ASCQ_SPACE_ALLOCATION_FAILED
                    ? CompletionStatus.NO_SPACE : CompletionStatus.WRITE_PROTECTED;
            case Sense.ABORTED_COMMAND -> CompletionStatus.ABORTED;
            case Sense.MISCOMPARE -> CompletionStatus.MISCOMPARE;
            default -> CompletionStatus.INTERNAL_ERROR; // HARDWARE ERROR, VOLUME OVERFLOW, vendor specific
        };
    }

    private static CompletionStatus host(int hostStatus) {
        return switch (hostStatus) {
            case DID_NO_CONNECT, DID_BAD_TARGET, DID_TRANSPORT_FAILFAST -> CompletionStatus.UNIT_NOT_READY;
            case DID_BUS_BUSY, DID_RESET, DID_SOFT_ERROR, DID_IMM_RETRY, DID_REQUEUE, DID_TRANSPORT_DISRUPTED ->
                    CompletionStatus.BUSY;
            case DID_TIME_OUT, DID_ABORT -> CompletionStatus.ABORTED;
            default -> CompletionStatus.INTERNAL_ERROR;
        };
    }
}
