package dev.ferry.backend.block;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * One worker thread's native scratch, allocated once when the worker first runs a request: an aligned bounce
 * buffer for data that cannot go to the kernel in place (heap, composite or misaligned buffers), and room for the
 * small structs the syscalls take (a struct iovec, a BLKDISCARD range).
 */
final class WorkerBuffers {
    /** Owns the native memory; the fields below are views into it and must not outlive it. */
    private final Memory owner;
    final long bounce;
    final int bounceSize;
    /** A ByteBuffer over the bounce memory, so copies to and from ByteBufs run as bulk copies. */
    final ByteBuffer view;
    /** struct iovec {void *iov_base; size_t iov_len;} */
    final Pointer iovec;
    /** uint64_t range[2] for BLKDISCARD / BLKZEROOUT */
    final Pointer range;

    WorkerBuffers(int bounceSize, int alignment) {
        this.owner = new Memory(bounceSize + alignment + 32L);
        Pointer aligned = owner.align(alignment);
        this.bounce = Pointer.nativeValue(aligned);
        this.bounceSize = bounceSize;
        this.view = aligned.getByteBuffer(0, bounceSize);
        this.iovec = aligned.share(bounceSize);
        this.range = aligned.share(bounceSize + 16L);
    }

    /** The view limited to {@code [0, n)}, ready to be filled or drained. */
    ByteBuffer view(int n) {
        view.clear().limit(n);
        return view;
    }
}
