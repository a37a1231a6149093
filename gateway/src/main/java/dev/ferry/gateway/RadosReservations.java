package dev.ferry.gateway;

import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.SharedReservationStore;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The reservation state of one group image, shared by every member that exports it: the JSON of
 * {@link ReservationJson} in the object {@code ferry.gateway.GROUP.pr.POOL[/NAMESPACE]/IMAGE} of the group's pool,
 * replaced only by compare-and-swap on its version, and watched: after a commit the other members are notified and
 * re-read (a member that joins, or whose watch was re-established, reads it too), so each member's unit enforces
 * the same registrations and holder. A reservation command completes only after the other members acked the
 * notify, which they do after reading the change ({@link #awaitOtherNodes}): no member still admits what it
 * forbids, except one that did not answer within the notify timeout (5 s: down, hung, or re-watching).
 */
public final class RadosReservations implements SharedReservationStore, AutoCloseable {

    private final WatchedObject object;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private RadosReservations(RadosClient client, String image, int watchTimeoutSeconds) throws GatewayException {
        this.object = new WatchedObject(client, oid(client.group(), image), watchTimeoutSeconds,
                () -> listeners.forEach(Runnable::run));
    }

    /**
     * The reservations of {@code image} ({@code POOL[/NAMESPACE]/IMAGE}) in {@code client}'s group, watched from
     * now on; closed with the client.
     */
    public static RadosReservations open(RadosClient client, String image, int watchTimeoutSeconds)
            throws GatewayException {
        RadosReservations r = new RadosReservations(client, image, watchTimeoutSeconds);
        r.object.start();
        return r;
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
            return OptionalLong.of(written.version());
        } catch (GatewayException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void onChange(Runnable changed) {
        listeners.add(changed);
    }

    /** The members' watches read a change before they ack its notify ({@link ObjectWatch}). */
    @Override
    public void awaitOtherNodes() {
        object.awaitNotified();
    }

    /** How many commits lost a race with another member's. */
    public long conflicts() {
        return object.conflicts();
    }

    /** Sends the notifies of commits made so far, stops watching. */
    @Override
    public void close() {
        object.close();
    }
}
