package dev.ferry.core.request;

/**
 * Protocol-neutral outcome of a {@link BlockRequest}. Each frontend maps these to its own wire status
 * (SCSI status + sense key/ASC/ASCQ, NVMe status code type/code).
 */
public enum CompletionStatus {
    GOOD,
    /** The device reported an unrecoverable read error (EIO on read). */
    MEDIUM_ERROR_READ,
    /** The device reported an unrecoverable write error (EIO on write). */
    MEDIUM_ERROR_WRITE,
    /** lba + blocks lies beyond the capacity. */
    LBA_OUT_OF_RANGE,
    /** A request field (length, range count, flags) is not acceptable. */
    INVALID_FIELD,
    /** COMPARE_AND_WRITE or VERIFY found different data; see {@link BlockRequest#miscompareOffset()}. */
    MISCOMPARE,
    /** The unit is reserved by another initiator. */
    RESERVATION_CONFLICT,
    /** The unit is read-only (write-protected medium). */
    WRITE_PROTECTED,
    /** The backing store has no space left (thin provisioning exhausted). */
    NO_SPACE,
    /** The backend cannot take more requests now; the initiator should retry. */
    BUSY,
    /** The request was aborted (task management) before it completed. */
    ABORTED,
    /** The backend does not support this operation. */
    UNSUPPORTED,
    /** The unit went away (removed from the configuration, device vanished). */
    UNIT_NOT_READY,
    /** Anything else that went wrong inside the target. */
    INTERNAL_ERROR
}
