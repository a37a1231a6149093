package dev.ferry.backend.block;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eventfd registered with a Netty 4.2 epoll event loop as an {@link EpollIoHandle}: the loop's own epoll_wait
 * wakes for it and runs the reaping during the loop's I/O processing. Edge-triggered and never read, as Netty does
 * with its own wake-up eventfd: each signal is a new edge, and the counter saturates instead of blocking the kernel.
 */
final class EpollCompletionWatch implements CompletionWatch {
    private static final Logger LOG = LoggerFactory.getLogger(EpollCompletionWatch.class);

    private final FileDescriptor eventfd;
    private final IoRegistration registration;

    private EpollCompletionWatch(FileDescriptor eventfd, IoRegistration registration) {
        this.eventfd = eventfd;
        this.registration = registration;
    }

    /** The watch, or null when {@code loop} is not a Netty epoll loop (or refused the registration). */
    static CompletionWatch register(Executor loop, int eventfd, Runnable reap) {
        if (!isEpollLoop(loop)) {
            return null;
        }
        FileDescriptor fd = new FileDescriptor(eventfd);
        Future<IoRegistration> f = ((IoEventLoop) loop).register(new Handle(fd, reap)); // done at once: on the loop
        if (!f.isSuccess()) {
            LOG.warn("cannot watch the io_uring eventfd on {}; a thread hands completions over", loop, f.cause());
            return null;
        }
        IoRegistration registration = f.getNow();
        registration.submit(EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLET));
        return new EpollCompletionWatch(fd, registration);
    }

    private static boolean isEpollLoop(Executor loop) {
        return loop instanceof IoEventLoop l && l.isCompatible(EpollIoHandle.class);
    }

    @Override
    public boolean onLoop() {
        return true;
    }

    /** Closing through Netty's FileDescriptor tells the loop not to epoll_ctl the number again (it may be reused). */
    @Override
    public void close() {
        registration.cancel();
        try {
            eventfd.close();
        } catch (IOException e) {
            LOG.warn("closing the io_uring eventfd failed", e);
        }
    }

    private record Handle(FileDescriptor fd, Runnable reap) implements EpollIoHandle {
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            reap.run();
        }

        /** The loop shuts down: the ring still owns the eventfd and closes it when the backend closes. */
        @Override
        public void close() {
        }
    }
}
