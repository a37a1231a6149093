package dev.ferry.backend.rbd;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import dev.ferry.core.backend.BackendException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows an image's header ({@code rbd_update_watch}) and runs an action on a thread of its own after each change
 * another client made: an {@code rbd resize}, but also a snapshot or a new lock owner, so the action re-reads and
 * compares. librbd calls back on its own op thread, where a call back into librbd (a size read that refreshes the
 * header) could wait on that same thread; so the callback only wakes this thread. Changes arriving while the
 * action runs are one more run, not one each.
 */
final class RbdHeaderWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RbdHeaderWatch.class);
    /** Enough for one size read (bounded by rados_mon_op_timeout, 30 s) to finish before close gives up on it. */
    private static final long STOP_MILLIS = TimeUnit.SECONDS.toMillis(40);

    private final long image;
    private final long handle;
    private final Runnable action;
    private final Thread thread;
    /** librbd keeps only the native stub of this callback: the field keeps it (and the stub) alive. */
    private final Ceph.UpdateCallback callback = arg -> changed();
    private boolean pending;
    private boolean stopped;

    private RbdHeaderWatch(long image, String name, Runnable action) throws BackendException {
        this.image = image;
        this.action = action;
        Native.setCallbackThreadInitializer(callback,
                new CallbackThreadInitializer(true, false, "ferry-rbd-header-" + name));
        long[] out = new long[1];
        RbdImage.check(Ceph.rbd_update_watch(image, out, callback, 0), "cannot watch the header of " + name);
        this.handle = out[0];
        this.thread = new Thread(this::run, "ferry-rbd-watch-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts watching {@code rbd}'s image; {@code what} names it in the log and the thread. */
    static RbdHeaderWatch start(RbdImage rbd, String what, Runnable action) throws BackendException {
        return new RbdHeaderWatch(rbd.image, what, action);
    }

    private synchronized void changed() {
        pending = true;
        notifyAll();
    }

    private void run() {
        while (true) {
            synchronized (this) {
                while (!pending && !stopped) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                pending = false;
            }
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("following an image header change failed", e);
            }
        }
    }

    /** Stops librbd's calls (waiting for one under way), then this thread (waiting for an action under way). */
    @Override
    public void close() {
        Ceph.rbd_update_unwatch(image, handle);
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(STOP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
