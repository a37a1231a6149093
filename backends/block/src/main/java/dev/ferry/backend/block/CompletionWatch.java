package dev.ferry.backend.block;

import java.util.concurrent.Executor;

/**
 * Runs a ring's reaping on its event loop whenever the ring's eventfd is signalled (a completion was posted), also
 * while the loop is otherwise idle. Owns the eventfd and closes it.
 */
interface CompletionWatch {

    /**
     * Watches {@code eventfd} on {@code loop} itself when the loop is a Netty epoll loop (the eventfd joins the loop's
     * epoll set, no extra thread); otherwise a small thread waits on the eventfd and hands {@code reap} to the loop.
     * Must be called on the loop thread.
     */
    static CompletionWatch open(Executor loop, int eventfd, Runnable reap, String name) {
        CompletionWatch onLoop;
        try {
            onLoop = EpollCompletionWatch.register(loop, eventfd, reap);
        } catch (NoClassDefFoundError e) {
            onLoop = null; // Netty's epoll classes are not on the class path: no loop can be an epoll loop
        }
        return onLoop != null ? onLoop : new ThreadCompletionWatch(loop, eventfd, reap, name);
    }

    /** Whether the loop's own poller watches the eventfd (no hand-off thread). */
    boolean onLoop();

    /** Stops watching and closes the eventfd; the ring that signalled it is closed already. */
    void close();
}
