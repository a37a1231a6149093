package dev.ferry.gateway;

import dev.ferry.backend.rbd.Ceph;
import dev.ferry.backend.rbd.Ceph.Rados;
import dev.ferry.backend.rbd.Errno;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch on one RADOS object ({@code rados_watch3}) that never misses a change: {@code changed} runs once the
 * watch is established, after every notify, and after every re-established watch, so a change notified while the
 * watch was lost (an OSD restart, a network cut, a watch timeout) is picked up by the re-read {@code changed} does.
 * {@code changed} runs on this watch's own thread, one at a time; a notify is acked after it ran.
 */
final class ObjectWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectWatch.class);
    /** How long a lost watch waits between attempts to watch again (the cluster may be unreachable a while). */
    static final long REWATCH_BACKOFF_MILLIS = 500;

    private final RadosClient client;
    private final String oid;
    private final int timeoutSeconds;
    private final Runnable changed;
    private final ExecutorService thread;
    // Held in fields: JNA must not collect a callback librados still calls.
    private final Ceph.WatchCallback onNotify = this::notified;
    private final Ceph.WatchErrorCallback onError = this::lost;
    private long cookie;
    private long errors;
    private boolean closed;

    /**
     * @param timeoutSeconds after how long without a ping from this client the OSD drops the watch (0: the OSD's
     *     osd_client_watch_timeout, 30 s); librados pings every objecter_tick_interval (5 s)
     */
    ObjectWatch(RadosClient client, String oid, int timeoutSeconds, Runnable changed) {
        this.client = client;
        this.oid = oid;
        this.timeoutSeconds = timeoutSeconds;
        this.changed = changed;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gateway-watch-" + oid);
            t.setDaemon(true);
            return t;
        });
    }

    /** Watches, then runs {@code changed} once (the initial read). */
    void start() throws GatewayException {
        synchronized (this) {
            cookie = watch();
        }
        thread.execute(this::runChanged);
    }

    private long watch() throws GatewayException {
        long[] out = new long[1];
        GatewayException.check(Rados.rados_watch3(client.ioctx, oid, out, onNotify, onError, timeoutSeconds, 0),
                "cannot watch " + oid);
        return out[0];
    }

    /**
     * Acks only after {@code changed} ran: a notifier that waits for the acks (a reservation change) then knows
     * that every member that acked acts on the change.
     */
    private void notified(long arg, long notifyId, long notifyCookie, long notifierId, long data, long length) {
        submit(() -> {
            runChanged();
            int rc = Rados.rados_notify_ack(client.ioctx, oid, notifyId, notifyCookie, null, 0);
            if (rc < 0) {
                LOG.debug("ack of a notify on {} failed: {}", oid, Errno.name(-rc));
            }
        });
    }

    private void lost(long arg, long lostCookie, int err) {
        LOG.info("the watch on {} was lost ({}): watching again", oid, Errno.name(-err));
        synchronized (this) {
            errors++;
        }
        submit(() -> rewatch(lostCookie));
    }

    /** Unwatches the dead cookie and watches again until that works or the watch is closed, then re-reads. */
    private void rewatch(long lostCookie) {
        synchronized (this) {
            if (closed || lostCookie != cookie) {
                return;
            }
            cookie = 0;
        }
        Rados.rados_unwatch2(client.ioctx, lostCookie);
        while (true) {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            try {
                long c = watch();
                synchronized (this) {
                    if (closed) {
                        Rados.rados_unwatch2(client.ioctx, c);
                        return;
                    }
                    cookie = c;
                }
                break;
            } catch (GatewayException e) {
                LOG.warn("{}; again in {} ms", e.getMessage(), REWATCH_BACKOFF_MILLIS);
            }
            try {
                Thread.sleep(REWATCH_BACKOFF_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
        runChanged();
    }

    private void runChanged() {
        try {
            changed.run();
        } catch (RuntimeException e) {
            LOG.warn("reacting to a change of {} failed", oid, e);
        }
    }

    private synchronized void submit(Runnable r) {
        if (!closed) {
            thread.execute(r);
        }
    }

    /** How many times the watch was lost (and established again). */
    synchronized long errors() {
        return errors;
    }

    /**
     * Tells every watcher of {@code oid} to re-read, waiting up to {@code timeoutMillis} for their acks. A watcher
     * that does not ack in time (down, or its watch being re-established) re-reads when its watch is back.
     *
     * @return whether every watcher acked in time
     */
    static boolean notify(RadosClient client, String oid, long timeoutMillis) throws GatewayException {
        long[] reply = new long[1];
        long[] replyLength = new long[1];
        int rc = Rados.rados_notify2(client.ioctx, oid, null, 0, timeoutMillis, reply, replyLength);
        if (reply[0] != 0) {
            Rados.rados_buffer_free(reply[0]);
        }
        if (rc == -Errno.ETIMEDOUT) {
            return false;
        }
        GatewayException.check(rc, "cannot notify the watchers of " + oid);
        return true;
    }

    /** Unwatches and waits until no callback of this watch runs. */
    @Override
    public void close() {
        long c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = cookie;
        }
        if (c != 0) {
            Rados.rados_unwatch2(client.ioctx, c);
        }
        Rados.rados_watch_flush(client.cluster());
        thread.shutdownNow();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
