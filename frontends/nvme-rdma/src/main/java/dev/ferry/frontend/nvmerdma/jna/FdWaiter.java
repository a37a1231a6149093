package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * Waits until the fd of an RDMA channel (completion channel, CM event channel) is readable, or until {@link #wake}:
 * ibv_get_cq_event and rdma_get_cm_event block in read(2), which closing the fd does not interrupt, so the thread
 * calls them only once poll(2) says an event is there, and stopping it is an eventfd write.
 */
public final class FdWaiter implements AutoCloseable {
    private static final int POLLFD_SIZE = 8;
    private static final int EVENTS = 4;
    private static final int REVENTS = 6;

    private final int fd;
    private final int wakeFd;
    private final Memory fds = new Memory(2L * POLLFD_SIZE);
    private final Memory one = new Memory(Long.BYTES);

    public FdWaiter(int fd) {
        this.fd = fd;
        this.wakeFd = Libc.INSTANCE.eventfd(0, Libc.EFD_CLOEXEC);
        if (wakeFd < 0) {
            throw new IllegalStateException("eventfd failed: errno " + Native.getLastError());
        }
        one.setLong(0, 1);
    }

    /** Blocks until the fd is readable (true) or {@link #wake} was called (false). */
    public boolean awaitReadable() {
        while (true) {
            fds.clear();
            fds.setInt(0, fd);
            fds.setShort(EVENTS, Libc.POLLIN);
            fds.setInt(POLLFD_SIZE, wakeFd);
            fds.setShort(POLLFD_SIZE + EVENTS, Libc.POLLIN);
            int n = Libc.INSTANCE.poll(fds, 2, -1);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == Libc.EINTR) {
                    continue;
                }
                throw new IllegalStateException("poll failed: errno " + errno);
            }
            if (fds.getShort(POLLFD_SIZE + REVENTS) != 0) {
                return false;
            }
            if (fds.getShort(REVENTS) != 0) {
                return true;
            }
        }
    }

    /** Makes {@link #awaitReadable} return false, now and from then on. */
    public void wake() {
        Libc.INSTANCE.write(wakeFd, one, Long.BYTES);
    }

    @Override
    public void close() {
        Libc.INSTANCE.close(wakeFd);
    }
}
