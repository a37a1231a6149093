package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc calls that let a thread wait on an RDMA channel fd and still be stopped (poll + eventfd). */
public interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    /** {@code <sys/eventfd.h>} EFD_CLOEXEC. */
    int EFD_CLOEXEC = 0x80000;
    /** {@code <poll.h>} POLLIN. */
    short POLLIN = 0x1;
    /** {@code <errno.h>} EINTR. */
    int EINTR = 4;

    int eventfd(int initval, int flags);

    /** {@code fds} is an array of {@code struct pollfd { int fd; short events; short revents; }}, 8 bytes each. */
    int poll(Pointer fds, long nfds, int timeout);

    long write(int fd, Pointer buf, long count);

    int close(int fd);
}
