package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * A minimal io_uring (linux/io_uring.h): one submission queue filled by one thread, one completion queue drained
 * by one other thread, no SQPOLL. Only x86-64, whose total store order plus the io_uring_enter syscall between
 * filling an SQE and the kernel reading it, and between the kernel posting a CQE and us reading it, give the
 * ordering the ring protocol needs without explicit fences.
 */
final class IoUring implements AutoCloseable {
    /** asm/unistd_64.h */
    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    /** enum io_uring_op */
    static final int IORING_OP_NOP = 0;
    static final int IORING_OP_READ = 22;
    static final int IORING_OP_WRITE = 23;
    private static final int IORING_ENTER_GETEVENTS = 1;
    private static final long IORING_OFF_CQ_RING = 0x8000000L;
    private static final long IORING_OFF_SQES = 0x10000000L;
    /** sys/mman.h: PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE */
    private static final int PROT_RW = 0x3;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final int SQE_BYTES = 64;
    private static final int CQE_BYTES = 16;
    private static final int PARAMS_BYTES = 120;

    private final int fd;
    private final Pointer sq;
    private final Pointer cq;
    private final Pointer sqes;
    private final long sqLength;
    private final long cqLength;
    private final long sqesLength;
    private final int sqTail;
    private final int sqMask;
    private final int sqArray;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    private int pending;

    /** Receives one completion: the SQE's user data and its result (bytes moved, or -errno). */
    interface Completion {
        void completed(long userData, int result);
    }

    private IoUring(int entries) {
        try (Memory params = new Memory(PARAMS_BYTES)) {
            params.clear();
            fd = (int) LibC.syscall(SYS_IO_URING_SETUP, entries, Pointer.nativeValue(params), 0, 0, 0, 0);
            int sqEntries = params.getInt(0);
            int cqEntries = params.getInt(4);
            // struct io_uring_params: 40 bytes, then struct io_sqring_offsets and struct io_cqring_offsets (40 each),
            // which give where in the mapped rings head, tail, ring_mask, array and cqes live
            sqTail = params.getInt(44);
            sqArray = params.getInt(64);
            cqHead = params.getInt(80);
            cqTail = params.getInt(84);
            cqes = params.getInt(100);
            sqLength = sqArray + 4L * sqEntries;
            cqLength = cqes + (long) CQE_BYTES * cqEntries;
            sqesLength = (long) SQE_BYTES * sqEntries;
            sq = map(sqLength, 0);
            cq = map(cqLength, IORING_OFF_CQ_RING);
            sqes = map(sqesLength, IORING_OFF_SQES);
            sqMask = sq.getInt(params.getInt(48));
            cqMask = cq.getInt(params.getInt(88));
        }
    }

    /** A ring of {@code entries} submissions, or null where io_uring is unavailable (kernel, seccomp, arch). */
    static IoUring tryCreate(int entries) {
        if (!Platform.isIntel() || !Platform.is64Bit()) {
            return null;
        }
        try {
            return new IoUring(entries);
        } catch (LastErrorException e) {
            return null; // ENOSYS before 5.1, EPERM under io_uring_disabled or a container's seccomp profile
        }
    }

    /** Whether this process may use io_uring at all; probed once with a tiny ring. */
    static boolean available() {
        return Probe.AVAILABLE;
    }

    private static final class Probe {
        static final boolean AVAILABLE;

        static {
            IoUring ring = tryCreate(2);
            if (ring != null) {
                ring.close();
            }
            AVAILABLE = ring != null;
        }
    }

    private Pointer map(long length, long offset) {
        return new Pointer(LibC.mmap(0, length, PROT_RW, MAP_SHARED_POPULATE, fd, offset));
    }

    /** Queues a read, write or no-op (struct io_uring_sqe: opcode 0, fd 4, off 8, addr 16, len 24, rw_flags 28, user_data 32). */
    void prepare(int opcode, int file, long address, int length, long offset, int rwFlags, long userData) {
        int tail = sq.getInt(sqTail);
        int index = tail & sqMask;
        long sqe = (long) SQE_BYTES * index;
        sqes.setMemory(sqe, SQE_BYTES, (byte) 0);
        sqes.setByte(sqe, (byte) opcode);
        sqes.setInt(sqe + 4, file);
        sqes.setLong(sqe + 8, offset);
        sqes.setLong(sqe + 16, address);
        sqes.setInt(sqe + 24, length);
        sqes.setInt(sqe + 28, rwFlags);
        sqes.setLong(sqe + 32, userData);
        sq.setInt(sqArray + 4L * index, index);
        sq.setInt(sqTail, tail + 1);
        pending++;
    }

    /** Hands everything prepared to the kernel without waiting. Submitting thread only. */
    void submit() {
        while (pending > 0) {
            pending -= (int) LibC.syscall(SYS_IO_URING_ENTER, fd, pending, 0, 0, 0, 0);
        }
    }

    /** Waits for at least one completion and delivers every one available. Completing thread only. */
    void await(Completion handler) {
        try {
            LibC.syscall(SYS_IO_URING_ENTER, fd, 0, 1, IORING_ENTER_GETEVENTS, 0, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EINTR) {
                throw e;
            }
        }
        int head = cq.getInt(cqHead);
        int tail = cq.getInt(cqTail);
        for (; head != tail; head++) {
            long cqe = cqes + (long) CQE_BYTES * (head & cqMask);
            handler.completed(cq.getLong(cqe), cq.getInt(cqe + 8));
        }
        cq.setInt(cqHead, head);
    }

    @Override
    public void close() {
        LibC.munmap(Pointer.nativeValue(sq), sqLength);
        LibC.munmap(Pointer.nativeValue(cq), cqLength);
        LibC.munmap(Pointer.nativeValue(sqes), sqesLength);
        LibC.close(fd);
    }
}
