package dev.ferry.gateway;

import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.SharedReservationStore;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation state of one group image, shared by every member that exports it: the JSON of
 * {@link ReservationJson} in the object {@code ferry.gateway.GROUP.pr.POOL[/NAMESPACE]/IMAGE} of the group's pool,
 * replaced only by compare-and-swap on its version, and watched: after a commit the other members are notified and
 * re-read (a member that joins, or whose watch was re-established, reads it too), so each member's unit enforces
 * the same registrations and holder.
 */
public final class RadosReservations implements SharedReservationStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RadosReservations.class);

    private final RadosClient client;
    private final VersionedObject object;
    private final ObjectWatch watch;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier;

    private RadosReservations(RadosClient client, String image, int watchTimeoutSeconds) throws GatewayException {
        this.client = client;
        this.object = new VersionedObject(client, oid(client.group(), image));
        this.watch = new ObjectWatch(client, object.oid, watchTimeoutSeconds, () -> listeners.forEach(Runnable::run));
        this.notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gateway-notify-" + object.oid);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The reservations of {@code image} ({@code POOL[/NAMESPACE]/IMAGE}) in {@code client}'s group, watched from
     * now on; closed with the client.
     */
    public static RadosReservations open(RadosClient client, String image, int watchTimeoutSeconds)
            throws GatewayException {
        RadosReservations r = new RadosReservations(client, image, watchTimeoutSeconds);
        try {
            r.object.create();
            r.watch.start();
            client.use(r);
            return r;
        } catch (GatewayException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    static String oid(String group, String image) {
        return GroupDocument.oid(group) + ".pr." + image;
    }

    @Override
    public Versioned load() throws IOException {
        try {
            VersionedObject.Versioned v = object.read();
            return new Versioned(ReservationJson.decode(v.data(), object.oid), v.version());
        } catch (GatewayException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public OptionalLong commit(long version, ReservationState next) throws IOException {
        try {
            VersionedObject.Versioned written = object.compareAndSwap(version, ReservationJson.encode(next));
            if (written == null) {
                return OptionalLong.empty();
            }
            notifier.execute(this::notifyQuietly);
            return OptionalLong.of(written.version());
        } catch (GatewayException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void onChange(Runnable changed) {
        listeners.add(changed);
    }

    /** How many commits lost a race with another member's. */
    public long conflicts() {
        return object.conflicts();
    }

    private void notifyQuietly() {
        try {
            ObjectWatch.notify(client, object.oid, GroupDocument.NOTIFY_TIMEOUT_MILLIS);
        } catch (GatewayException e) {
            LOG.warn("the other members were not told of a reservation change (they re-read when their watch is"
                    + " back): {}", e.getMessage());
        }
    }

    /** Sends the notifies of commits made so far, stops watching. */
    @Override
    public void close() {
        client.unuse(this);
        notifier.shutdown();
        try {
            notifier.awaitTermination(GroupDocument.NOTIFY_TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watch.close();
        object.close();
    }
}
