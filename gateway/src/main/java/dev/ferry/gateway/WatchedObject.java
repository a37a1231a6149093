package dev.ferry.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RADOS object the members share: read with its version, replaced only by compare-and-swap
 * ({@link VersionedObject}), watched ({@link ObjectWatch}), and announced by a notify after every change that
 * landed, so each member re-reads at once; one that missed the notify re-reads when its watch is back, one that
 * was down when it opens the object.
 */
final class WatchedObject implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchedObject.class);
    /**
     * How long a notify waits for the other members' acks; a member that did not ack re-reads when its watch is
     * back. The notify runs after the change landed, on a thread of its own: a dead member that was not fenced yet
     * keeps its watch until the OSD's watch timeout and would otherwise hold every change up that long.
     */
    static final long NOTIFY_TIMEOUT_MILLIS = 5_000;

    final String oid;
    private final RadosClient client;
    private final VersionedObject object;
    private final ObjectWatch watch;
    private final ExecutorService notifier;
    /** The newest change's notify; the notifier runs them in order. */
    private volatile Future<?> lastNotify = CompletableFuture.completedFuture(null);

    /**
     * @param watchTimeoutSeconds see {@link ObjectWatch}; 0 for the OSD's default (30 s)
     * @param changed             runs once the watch is established, then after every change (on the watch's thread)
     */
    WatchedObject(RadosClient client, String oid, int watchTimeoutSeconds, Runnable changed) throws GatewayException {
        this.oid = oid;
        this.client = client;
        this.object = new VersionedObject(client, oid);
        this.watch = new ObjectWatch(client, oid, watchTimeoutSeconds, changed);
        this.notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gateway-notify-" + oid);
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates the object empty unless it exists, and watches it; from now on it is closed with the client. */
    void start() throws GatewayException {
        try {
            object.create();
            watch.start();
            client.use(this);
        } catch (GatewayException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The object as it is now. */
    VersionedObject.Versioned read() throws GatewayException {
        return object.read();
    }

    /** Applies {@code change} by compare-and-swap (re-applied after a lost race), then tells the other members. */
    VersionedObject.Versioned update(VersionedObject.Change change) throws GatewayException {
        VersionedObject.Versioned[] read = new VersionedObject.Versioned[1];
        VersionedObject.Versioned written = object.update(current -> {
            read[0] = current;
            return change.apply(current);
        });
        if (written != read[0]) { // not a change the object already held
            announce();
        }
        return written;
    }

    /** Replaces the object if it is still at {@code version}, then tells the other members; null when it lost. */
    VersionedObject.Versioned compareAndSwap(long version, byte[] next) throws GatewayException {
        VersionedObject.Versioned written = object.compareAndSwap(version, next);
        if (written != null) {
            announce();
        }
        return written;
    }

    /** How many of this member's changes lost a race with another member's. */
    long conflicts() {
        return object.conflicts();
    }

    /** How many times the watch was lost and re-established. */
    long watchErrors() {
        return watch.errors();
    }

    private void announce() {
        try {
            lastNotify = notifier.submit(this::notifyQuietly);
        } catch (RejectedExecutionException e) {
            // closing: the others re-read when they next open or re-watch
        }
    }

    /**
     * Returns once the notifies of the changes made so far were acked by every member (which ack after they read
     * the change), or timed out ({@link #NOTIFY_TIMEOUT_MILLIS}: a member that did not answer by then is down,
     * hung, or re-establishing its watch, and reads the change when it is back).
     */
    void awaitNotified() {
        try {
            lastNotify.get(2 * NOTIFY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("the members were not all told of a change of {}: {}", oid, e.toString());
        }
    }

    private void notifyQuietly() {
        try {
            if (!ObjectWatch.notify(client, oid, NOTIFY_TIMEOUT_MILLIS)) {
                LOG.warn("a member did not confirm a change of {} within {} ms (down, hung, or watching again: it"
                        + " reads the change when its watch is back)", oid, NOTIFY_TIMEOUT_MILLIS);
            }
        } catch (GatewayException e) {
            LOG.warn("the other members were not told of a change of {} (they re-read when their watch is back): {}",
                    oid, e.getMessage());
        }
    }

    /** Sends the notifies of changes made so far, stops watching. */
    @Override
    public void close() {
        client.unuse(this);
        notifier.shutdown();
        try {
            notifier.awaitTermination(NOTIFY_TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watch.close();
        object.close();
    }
}
