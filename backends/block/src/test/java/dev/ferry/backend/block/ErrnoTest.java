package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.request.CompletionStatus;
import org.junit.jupiter.api.Test;

/** errno as the block layer reports device outcomes (block/blk-core.c blk_errors[]) maps to request status. */
class ErrnoTest {
    @Test
    void readErrors() {
        assertEquals(CompletionStatus.MEDIUM_ERROR_READ, Errno.forRead(5)); // EIO
        assertEquals(CompletionStatus.MEDIUM_ERROR_READ, Errno.forRead(61)); // ENODATA = BLK_STS_MEDIUM
        assertEquals(CompletionStatus.RESERVATION_CONFLICT, Errno.forRead(52)); // EBADE = BLK_STS_NEXUS
        assertEquals(CompletionStatus.UNIT_NOT_READY, Errno.forRead(19)); // ENODEV = BLK_STS_OFFLINE
        assertEquals(CompletionStatus.BUSY, Errno.forRead(11)); // EAGAIN
        assertEquals(CompletionStatus.INVALID_FIELD, Errno.forRead(22)); // EINVAL: misaligned O_DIRECT
        assertEquals(CompletionStatus.INTERNAL_ERROR, Errno.forRead(9)); // EBADF: our bug
    }

    @Test
    void writeErrors() {
        assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, Errno.forWrite(5));
        assertEquals(CompletionStatus.NO_SPACE, Errno.forWrite(28)); // ENOSPC = BLK_STS_NOSPC
        assertEquals(CompletionStatus.NO_SPACE, Errno.forWrite(122)); // EDQUOT
        assertEquals(CompletionStatus.WRITE_PROTECTED, Errno.forWrite(30)); // EROFS
        assertEquals(CompletionStatus.WRITE_PROTECTED, Errno.forWrite(1)); // EPERM: blkdev_write_iter on a ro disk
        assertEquals(CompletionStatus.UNSUPPORTED, Errno.forWrite(95)); // EOPNOTSUPP: no discard
        assertEquals(CompletionStatus.WRITE_PROTECTED, Errno.forWrite(13)); // EACCES
    }

    @Test
    void names() {
        assertEquals("EBUSY", Errno.name(16));
        assertEquals("errno 9999", Errno.name(9999));
    }
}
