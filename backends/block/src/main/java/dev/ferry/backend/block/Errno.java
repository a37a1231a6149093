package dev.ferry.backend.block;

import dev.ferry.core.request.CompletionStatus;

/**
 * errno values (asm-generic/errno-base.h, asm-generic/errno.h) and their meaning for a request. The block layer
 * turns its blk_status_t into errno with the table in block/blk-core.c (blk_errors[]), so the less common codes
 * below carry device-level meaning: BLK_STS_MEDIUM becomes ENODATA, BLK_STS_NEXUS (reservation conflict) EBADE,
 * BLK_STS_NOSPC ENOSPC, BLK_STS_OFFLINE ENODEV, BLK_STS_RESOURCE ENOMEM, BLK_STS_AGAIN EAGAIN.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EBADE = 52;
    public static final int ENODATA = 61;
    public static final int ENOLINK = 67;
    public static final int EILSEQ = 84;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;
    public static final int EDQUOT = 122;
    public static final int EREMOTEIO = 121;

    private Errno() {
    }

    /** What a failed READ, VERIFY or the read half of COMPARE_AND_WRITE completes with. */
    public static CompletionStatus forRead(int errno) {
        return switch (errno) {
            case EIO, ENODATA, EILSEQ, EREMOTEIO -> CompletionStatus.MEDIUM_ERROR_READ;
            default -> common(errno);
        };
    }

    /** What a failed WRITE, FLUSH, UNMAP or WRITE_ZEROES completes with. */
    public static CompletionStatus forWrite(int errno) {
        return switch (errno) {
            case EIO, ENODATA, EILSEQ, EREMOTEIO -> CompletionStatus.MEDIUM_ERROR_WRITE;
            case ENOSPC, EDQUOT -> CompletionStatus.NO_SPACE;
            case EROFS, EPERM, EACCES -> CompletionStatus.WRITE_PROTECTED;
            default -> common(errno);
        };
    }

    private static CompletionStatus common(int errno) {
        return switch (errno) {
            case EBADE -> CompletionStatus.RESERVATION_CONFLICT;
            case EAGAIN, EINTR, ENOMEM, EBUSY -> CompletionStatus.BUSY;
            case ENODEV, ENXIO, ENOLINK, ETIMEDOUT -> CompletionStatus.UNIT_NOT_READY;
            case EOPNOTSUPP, ENOTTY -> CompletionStatus.UNSUPPORTED;
            case EINVAL -> CompletionStatus.INVALID_FIELD;
            default -> CompletionStatus.INTERNAL_ERROR;
        };
    }

    /** The symbolic name of an errno for messages, e.g. {@code EBUSY}; the number when not one of ours. */
    public static String name(int errno) {
        for (var f : Errno.class.getFields()) {
            try {
                if (f.getType() == int.class && f.getInt(null) == errno) {
                    return f.getName();
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return "errno " + errno;
    }
}
