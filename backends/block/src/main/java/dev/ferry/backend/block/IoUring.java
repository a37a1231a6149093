package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A minimal io_uring (linux/io_uring.h): one thread fills the submission queue and drains the completion queue, no
 * SQPOLL. The rings are read and written through ByteBuffer views of their mappings (plain memory accesses the JIT
 * compiles inline); the indexes the kernel shares with us are read with acquire and published with release
 * semantics, as liburing's io_uring_smp_load_acquire / io_uring_smp_store_release do. Only x86-64.
 */
final class IoUring implements AutoCloseable {
    /** asm/unistd_64.h */
    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    private static final long SYS_IO_URING_REGISTER = 427;
    /** enum io_uring_op */
    static final int IORING_OP_READ = 22;
    static final int IORING_OP_WRITE = 23;
    /** io_uring_register opcode: signal an eventfd for every completion posted (Linux 5.2). */
    private static final int IORING_REGISTER_EVENTFD = 4;
    /** io_uring_register opcode: which operations this kernel supports (Linux 5.6, as IORING_OP_READ/WRITE). */
    private static final int IORING_REGISTER_PROBE = 8;
    /** struct io_uring_probe: 16 header bytes, then struct io_uring_probe_op {u8 op; u8 resv; u16 flags; u32} each. */
    static final int PROBE_HEADER_BYTES = 16;
    static final int PROBE_OP_BYTES = 8;
    private static final int PROBE_OPS = 64;
    private static final int IO_URING_OP_SUPPORTED = 1;
    private static final long IORING_OFF_CQ_RING = 0x8000000L;
    private static final long IORING_OFF_SQES = 0x10000000L;
    /** sys/mman.h: PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE */
    private static final int PROT_RW = 0x3;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final int SQE_BYTES = 64;
    private static final int CQE_BYTES = 16;
    private static final int PARAMS_BYTES = 120;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final int fd;
    private final long sqAddress;
    private final long cqAddress;
    private final long sqesAddress;
    private final ByteBuffer sq;
    private final ByteBuffer cq;
    private final ByteBuffer sqes;
    private final long sqLength;
    private final long cqLength;
    private final long sqesLength;
    /** Submission queue entries (the kernel rounds the asked number up to a power of two). */
    private final int entries;
    private final int sqHead;
    private final int sqTail;
    private final int sqMask;
    private final int sqArray;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    /** Prepared and not yet taken by the kernel. */
    private int pending;

    /** Receives one completion: the SQE's user data and its result (bytes moved, or -errno). */
    interface Completion {
        void completed(long userData, int result);
    }

    private IoUring(int entries) {
        try (Memory params = new Memory(PARAMS_BYTES)) {
            params.clear();
            fd = (int) LibC.syscall(SYS_IO_URING_SETUP, entries, Pointer.nativeValue(params), 0, 0, 0, 0);
            this.entries = params.getInt(0);
            int cqEntries = params.getInt(4);
            // struct io_uring_params: 40 bytes, then struct io_sqring_offsets and struct io_cqring_offsets (40 each),
            // which give where in the mapped rings head, tail, ring_mask, array and cqes live
            sqHead = params.getInt(40);
            sqTail = params.getInt(44);
            sqArray = params.getInt(64);
            cqHead = params.getInt(80);
            cqTail = params.getInt(84);
            cqes = params.getInt(100);
            sqLength = sqArray + 4L * this.entries;
            cqLength = cqes + (long) CQE_BYTES * cqEntries;
            sqesLength = (long) SQE_BYTES * this.entries;
            sqAddress = map(sqLength, 0);
            cqAddress = map(cqLength, IORING_OFF_CQ_RING);
            sqesAddress = map(sqesLength, IORING_OFF_SQES);
            sq = view(sqAddress, sqLength);
            cq = view(cqAddress, cqLength);
            sqes = view(sqesAddress, sqesLength);
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

    /**
     * Whether this process may use io_uring for reads and writes: probed once with a tiny ring, which must exist
     * (not before Linux 5.1, not under a seccomp profile or io_uring_disabled that forbid it) and must offer
     * IORING_OP_READ and IORING_OP_WRITE (Linux 5.6; a 5.1-5.5 kernel would fail every such request).
     */
    static boolean available() {
        return Probe.AVAILABLE;
    }

    private static final class Probe {
        static final boolean AVAILABLE;

        static {
            IoUring ring = tryCreate(2);
            boolean usable = false;
            if (ring != null) {
                try {
                    usable = ring.supportsReadWrite();
                } finally {
                    ring.close();
                }
            }
            AVAILABLE = usable;
        }
    }

    /** IORING_REGISTER_PROBE, which kernels before 5.6 (without IORING_OP_READ/WRITE) refuse too. */
    private boolean supportsReadWrite() {
        long bytes = PROBE_HEADER_BYTES + (long) PROBE_OP_BYTES * PROBE_OPS;
        try (Memory probe = new Memory(bytes)) {
            probe.clear();
            LibC.syscall(SYS_IO_URING_REGISTER, fd, IORING_REGISTER_PROBE, Pointer.nativeValue(probe), PROBE_OPS, 0, 0);
            ByteBuffer b = probe.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
            return supported(b, IORING_OP_READ) && supported(b, IORING_OP_WRITE);
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** Whether a filled struct io_uring_probe marks {@code op} supported (it lists ops up to {@code last_op}). */
    static boolean supported(ByteBuffer probe, int op) {
        int lastOp = probe.get(0) & 0xff;
        int listed = probe.get(1) & 0xff;
        if (op > lastOp || op >= listed) {
            return false;
        }
        int flags = probe.getShort(PROBE_HEADER_BYTES + PROBE_OP_BYTES * op + 2) & 0xffff;
        return (flags & IO_URING_OP_SUPPORTED) != 0;
    }

    private long map(long length, long offset) {
        return LibC.mmap(0, length, PROT_RW, MAP_SHARED_POPULATE, fd, offset);
    }

    private static ByteBuffer view(long address, long length) {
        return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    }

    /** Makes the kernel signal {@code eventfd} for every completion it posts. */
    void registerEventfd(int eventfd) {
        try (Memory arg = new Memory(4)) {
            arg.setInt(0, eventfd);
            LibC.syscall(SYS_IO_URING_REGISTER, fd, IORING_REGISTER_EVENTFD, Pointer.nativeValue(arg), 1, 0, 0);
        }
    }

    int entries() {
        return entries;
    }

    /** Entries prepared and not yet handed to the kernel. */
    int pending() {
        return pending;
    }

    /**
     * Queues a read, write or no-op (struct io_uring_sqe: opcode 0, fd 4, off 8, addr 16, len 24, rw_flags 28,
     * user_data 32). The caller never has more than {@link #entries()} prepared or in flight.
     */
    void prepare(int opcode, int file, long address, int length, long offset, int rwFlags, long userData) {
        int tail = sq.getInt(sqTail); // only we write the tail
        int index = tail & sqMask;
        int sqe = SQE_BYTES * index;
        for (int i = 0; i < SQE_BYTES; i += 8) {
            sqes.putLong(sqe + i, 0);
        }
        sqes.put(sqe, (byte) opcode);
        sqes.putInt(sqe + 4, file);
        sqes.putLong(sqe + 8, offset);
        sqes.putLong(sqe + 16, address);
        sqes.putInt(sqe + 24, length);
        sqes.putInt(sqe + 28, rwFlags);
        sqes.putLong(sqe + 32, userData);
        sq.putInt(sqArray + 4 * index, index);
        INT.setRelease(sq, sqTail, tail + 1);
        pending++;
    }

    /**
     * Hands everything prepared to the kernel without waiting.
     *
     * @return the io_uring_enter calls it took (one, unless the kernel took fewer entries than offered)
     * @throws LastErrorException from io_uring_enter; the entries it did not take stay prepared
     */
    int submit() {
        int calls = 0;
        while (pending > 0) {
            calls++;
            pending -= (int) LibC.syscall(SYS_IO_URING_ENTER, fd, pending, 0, 0, 0, 0);
        }
        return calls;
    }

    /**
     * Takes back what was prepared but not submitted (io_uring_enter failed for good) and reports each entry to
     * {@code handler} with {@code -errno}, so its request fails instead of waiting forever.
     */
    void abandonPending(int errno, Completion handler) {
        int head = (int) INT.getAcquire(sq, sqHead);
        int tail = sq.getInt(sqTail);
        for (int t = head; t != tail; t++) {
            int index = sq.getInt(sqArray + 4 * (t & sqMask));
            handler.completed(sqes.getLong(SQE_BYTES * index + 32), -errno);
        }
        INT.setRelease(sq, sqTail, head);
        pending = 0;
    }

    /**
     * Delivers every completion already posted, without a syscall; returns how many. An entry counts as consumed
     * before its handler runs, so a handler that throws never gets the same completion twice.
     */
    int reap(Completion handler) {
        int head = cq.getInt(cqHead); // only we write the head
        int tail = (int) INT.getAcquire(cq, cqTail);
        int n = tail - head;
        try {
            while (head != tail) {
                int cqe = cqes + CQE_BYTES * (head & cqMask);
                long userData = cq.getLong(cqe);
                int result = cq.getInt(cqe + 8);
                head++;
                handler.completed(userData, result);
            }
        } finally {
            INT.setRelease(cq, cqHead, head);
        }
        return n;
    }

    @Override
    public void close() {
        LibC.munmap(sqAddress, sqLength);
        LibC.munmap(cqAddress, cqLength);
        LibC.munmap(sqesAddress, sqesLength);
        LibC.close(fd);
    }
}
