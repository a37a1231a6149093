package dev.ferry.backend.rbd;

import dev.ferry.core.request.CompletionStatus;

/** The errno values librados and librbd return (negated), as names for messages and as request outcomes. */
public final class Errno {
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EPERM = 1;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int EDQUOT = 122;
    public static final int EILSEQ = 84;
    /** An object version assertion: the object is older than asserted. */
    public static final int EOVERFLOW = 75;
    public static final int ENOTCONN = 107;
    /** Also EBLOCKLISTED: the cluster blocklisted this client. */
    public static final int ESHUTDOWN = 108;
    public static final int ETIMEDOUT = 110;

    private Errno() {
    }

    public static String name(int errno) {
        return switch (errno) {
            case ENOENT -> "ENOENT (no such object)";
            case EIO -> "EIO";
            case EACCES -> "EACCES (permission denied)";
            case EPERM -> "EPERM (not permitted)";
            case EBUSY -> "EBUSY";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC (cluster full)";
            case EROFS -> "EROFS (the image's exclusive lock is held by another client)";
            case EDQUOT -> "EDQUOT (pool quota reached)";
            case EILSEQ -> "EILSEQ (miscompare)";
            case EOVERFLOW -> "EOVERFLOW";
            case ERANGE -> "ERANGE";
            case EEXIST -> "EEXIST (exists)";
            case ENOTCONN -> "ENOTCONN (not connected to the cluster)";
            case ESHUTDOWN -> "ESHUTDOWN (this client was blocklisted by the cluster)";
            case ETIMEDOUT -> "ETIMEDOUT (the cluster did not answer in time)";
            default -> "errno " + errno;
        };
    }

    /**
     * The outcome of a failed request. A cluster that does not answer, or that cut this client off, is NOT READY
     * (the initiator retries, or multipath moves to another path); another client holding the exclusive lock is a
     * reservation conflict, as on a disk another initiator reserved.
     */
    static CompletionStatus status(int errno, boolean reading) {
        return switch (errno) {
            case ETIMEDOUT, ENOTCONN, ESHUTDOWN, ENOENT -> CompletionStatus.UNIT_NOT_READY;
            case EROFS -> CompletionStatus.RESERVATION_CONFLICT;
            case ENOSPC, EDQUOT -> CompletionStatus.NO_SPACE;
            case EINVAL -> CompletionStatus.INVALID_FIELD;
            case EIO -> reading ? CompletionStatus.MEDIUM_ERROR_READ : CompletionStatus.MEDIUM_ERROR_WRITE;
            default -> CompletionStatus.INTERNAL_ERROR;
        };
    }
}
