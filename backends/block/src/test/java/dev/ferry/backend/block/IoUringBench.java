package dev.ferry.backend.block;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: the measurement behind choosing blocking syscalls on worker threads over io_uring for the block
 * backend. Compares, without the core in between, random 4 KiB O_DIRECT reads from 1, 2 and 4 threads calling
 * pread with one thread keeping 32 reads in flight through a minimal io_uring (linux/io_uring.h, x86-64 syscall
 * numbers; no SQPOLL, one io_uring_enter per batch).
 *
 * <p>Run as root: {@code java -cp <test classpath> dev.ferry.backend.block.IoUringBench [seconds]}
 */
public final class IoUringBench {
    private static final long SIZE = 256L << 20;
    private static final int IO = 4096;
    private static final int DEPTH = 32;
    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    private static final int IORING_OP_READ = 22;
    private static final int IORING_ENTER_GETEVENTS = 1;
    private static final long IORING_OFF_CQ_RING = 0x8000000L;
    private static final long IORING_OFF_SQES = 0x10000000L;
    private static final int PROT_RW = 0x3;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    static {
        Native.register(IoUringBench.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    private static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    private IoUringBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path file = Files.createTempFile(Paths.get("/dev/shm"), "ferry-uring", ".img");
        try (LoopDevice loop = LoopDevice.attach(file, SIZE)) {
            int fd = LibC.open(loop.node.toString(), LibC.O_RDONLY | LibC.O_DIRECT);
            try {
                for (int threads : new int[] {1, 2, 4}) {
                    System.out.printf("pread, %d thread(s), qd=%d: %,8d IOPS%n", threads, threads,
                            preadThreads(fd, threads, seconds) / seconds);
                }
                System.out.printf("io_uring, 1 thread, qd=%d: %,8d IOPS%n", DEPTH, uring(fd, seconds) / seconds);
            } finally {
                LibC.close(fd);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long preadThreads(int fd, int threads, int seconds) throws InterruptedException {
        AtomicLong ops = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try (Memory m = new Memory(2 * IO)) {
                    long address = Pointer.nativeValue(m.align(IO));
                    long n = 0;
                    while (System.nanoTime() < end) {
                        LibC.pread(fd, address, IO, ThreadLocalRandom.current().nextLong(SIZE / IO) * IO);
                        n++;
                    }
                    ops.addAndGet(n);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        return ops.get();
    }

    private static long uring(int fd, int seconds) {
        try (Memory params = new Memory(120); Memory buffers = new Memory((long) (DEPTH + 1) * IO)) {
            params.clear();
            int ring = (int) syscall(SYS_IO_URING_SETUP, DEPTH, Pointer.nativeValue(params), 0, 0, 0, 0);
            if (ring < 0) {
                throw new IllegalStateException("io_uring_setup failed: errno " + Native.getLastError());
            }
            int sqEntries = params.getInt(0);
            int cqEntries = params.getInt(4);
            // struct io_sqring_offsets at 40, struct io_cqring_offsets at 80
            int sqTail = params.getInt(44);
            int sqArray = params.getInt(64);
            int cqHead = params.getInt(80), cqTail = params.getInt(84);
            int cqes = params.getInt(100);
            Pointer sq = new Pointer(mmap(0, sqArray + 4L * sqEntries, PROT_RW, MAP_SHARED_POPULATE, ring, 0));
            Pointer cq = new Pointer(mmap(0, cqes + 16L * cqEntries, PROT_RW, MAP_SHARED_POPULATE, ring,
                    IORING_OFF_CQ_RING));
            Pointer sqes = new Pointer(mmap(0, 64L * sqEntries, PROT_RW, MAP_SHARED_POPULATE, ring, IORING_OFF_SQES));
            int sqMask = sq.getInt(params.getInt(48)); // the offsets say where in the rings the masks live
            int cqMask = cq.getInt(params.getInt(88));
            long base = Pointer.nativeValue(buffers.align(IO));
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long done = 0;
            int toSubmit = 0;
            for (int i = 0; i < DEPTH; i++) {
                toSubmit += queueRead(sq, sqes, sqTail, sqMask, sqArray, fd, base + (long) i * IO, i);
            }
            int inFlight = DEPTH;
            while (inFlight > 0) {
                // x86-64 is TSO and io_uring_enter is a syscall: plain stores/loads around it are ordered enough
                syscall(SYS_IO_URING_ENTER, ring, toSubmit, 1, IORING_ENTER_GETEVENTS, 0, 0);
                toSubmit = 0;
                int head = cq.getInt(cqHead);
                int tail = cq.getInt(cqTail);
                for (; head != tail; head++) {
                    long cqe = cqes + 16L * (head & cqMask);
                    int slot = (int) cq.getLong(cqe);
                    if (cq.getInt(cqe + 8) != IO) {
                        throw new IllegalStateException("read failed: " + cq.getInt(cqe + 8));
                    }
                    done++;
                    inFlight--;
                    if (System.nanoTime() < end) {
                        toSubmit += queueRead(sq, sqes, sqTail, sqMask, sqArray, fd, base + (long) slot * IO, slot);
                        inFlight++;
                    }
                }
                cq.setInt(cqHead, head);
            }
            LibC.close(ring);
            return done;
        }
    }

    /** Fills the next SQE (struct io_uring_sqe: opcode 0, fd 4, off 8, addr 16, len 24, user_data 32). */
    private static int queueRead(Pointer sq, Pointer sqes, int sqTail, int sqMask, int sqArray, int fd, long buffer,
            int slot) {
        int tail = sq.getInt(sqTail);
        int index = tail & sqMask;
        long sqe = 64L * index;
        sqes.setMemory(sqe, 64, (byte) 0);
        sqes.setByte(sqe, (byte) IORING_OP_READ);
        sqes.setInt(sqe + 4, fd);
        sqes.setLong(sqe + 8, ThreadLocalRandom.current().nextLong(SIZE / IO) * IO);
        sqes.setLong(sqe + 16, buffer);
        sqes.setInt(sqe + 24, IO);
        sqes.setLong(sqe + 32, slot);
        sq.setInt(sqArray + 4L * index, index);
        sq.setInt(sqTail, tail + 1);
        return 1;
    }
}
