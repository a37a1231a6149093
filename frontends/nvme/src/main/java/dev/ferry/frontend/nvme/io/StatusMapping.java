package dev.ferry.frontend.nvme.io;

import dev.ferry.core.request.CompletionStatus;
import dev.ferry.frontend.nvme.spec.Status;

/** Core completion status to NVMe status (Base 2.0 4.2.3; NVM Command Set 1.0 Figure 16). */
public final class StatusMapping {
    private StatusMapping() {
    }

    public static int of(CompletionStatus s) {
        return switch (s) {
            case GOOD -> Status.SUCCESS;
            case MEDIUM_ERROR_READ -> Status.UNRECOVERED_READ_ERROR;
            case MEDIUM_ERROR_WRITE -> Status.WRITE_FAULT;
            case LBA_OUT_OF_RANGE -> Status.LBA_OUT_OF_RANGE;
            case INVALID_FIELD -> Status.INVALID_FIELD;
            case MISCOMPARE -> Status.COMPARE_FAILURE;
            case RESERVATION_CONFLICT -> Status.RESERVATION_CONFLICT;
            case WRITE_PROTECTED -> Status.NAMESPACE_WRITE_PROTECTED;
            case NO_SPACE -> Status.CAPACITY_EXCEEDED;
            case BUSY -> Status.COMMAND_INTERRUPTED; // retryable without DNR
            case ABORTED -> Status.ABORT_REQUESTED;
            case UNSUPPORTED -> Status.INVALID_OPCODE;
            case UNIT_NOT_READY -> Status.NAMESPACE_NOT_READY;
            case INTERNAL_ERROR -> Status.INTERNAL_ERROR;
        };
    }
}
