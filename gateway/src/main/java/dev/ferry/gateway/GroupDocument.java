package dev.ferry.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway group's shared configuration: one JSON object {@code ferry.gateway.GROUP} in the group's pool, changed
 * only by compare-and-swap on its RADOS version ({@link VersionedObject}) and announced by a notify, which every
 * member's watch ({@link ObjectWatch}) answers by re-reading. Each member therefore converges on the newest version
 * without polling: at once when notified, on start (a member that was down catches up), and whenever its watch had
 * to be re-established (a notify it missed is made up for by that re-read).
 */
public final class GroupDocument implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupDocument.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /**
     * How long a notify waits for the other members' acks; a member that did not ack re-reads when its watch is
     * back. The notify runs after the change landed, on a thread of its own: a dead member that was not fenced yet
     * keeps its watch until the OSD's watch timeout and would otherwise hold every change up that long.
     */
    static final long NOTIFY_TIMEOUT_MILLIS = 5_000;

    /** A state and the object version it was read at (0: the group's object does not exist yet). */
    public record Snapshot(GroupState state, long version) {
    }

    /** A change of the group's state: returns the new state, the same one for no change, or throws to refuse. */
    public interface Change {
        GroupState apply(GroupState current) throws GatewayException;
    }

    private final RadosClient client;
    private final VersionedObject object;
    private final ObjectWatch watch;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier;
    private volatile Snapshot current = new Snapshot(GroupState.EMPTY, 0);

    private GroupDocument(RadosClient client, int watchTimeoutSeconds) throws GatewayException {
        this.client = client;
        this.object = new VersionedObject(client, oid(client.group()));
        this.watch = new ObjectWatch(client, object.oid, watchTimeoutSeconds, this::refreshQuietly);
        this.notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gateway-notify-" + object.oid);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Watches the group's document and reads it.
     *
     * @param watchTimeoutSeconds see {@link ObjectWatch}; 0 for the OSD's default (30 s)
     */
    public static GroupDocument open(RadosClient client, int watchTimeoutSeconds) throws GatewayException {
        GroupDocument d = new GroupDocument(client, watchTimeoutSeconds);
        try {
            d.object.create();
            d.watch.start();
            d.refresh();
            client.use(d);
            return d;
        } catch (GatewayException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Creates the group's document, empty; false when the group exists already. */
    public static boolean create(RadosClient client) throws GatewayException {
        try (VersionedObject o = new VersionedObject(client, oid(client.group()))) {
            return o.create();
        }
    }

    /** Reads the group's document once, without watching (version 0: the group does not exist). */
    public static Snapshot read(RadosClient client) throws GatewayException {
        try (VersionedObject o = new VersionedObject(client, oid(client.group()))) {
            return parse(o.read());
        }
    }

    static String oid(String group) {
        return "ferry.gateway." + group;
    }

    /** The newest state this member has read. */
    public Snapshot current() {
        return current;
    }

    /** Called with every newer snapshot this member reads (on the watch's thread or the changer's), in order. */
    public void onChange(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }

    /** Reads the document now and returns the newest snapshot. */
    public Snapshot refresh() throws GatewayException {
        return adopt(parse(object.read()));
    }

    /** Applies {@code change} by compare-and-swap, tells the other members, and returns the state it made. */
    public Snapshot update(Change change) throws GatewayException {
        boolean[] changed = {false};
        VersionedObject.Versioned written = object.update(v -> {
            GroupState before = parse(v).state();
            GroupState after = change.apply(before);
            changed[0] = !after.equals(before);
            return changed[0] ? encode(after) : v.data();
        });
        Snapshot s = adopt(parse(written));
        if (changed[0]) {
            notifier.execute(this::notifyQuietly);
        }
        return s;
    }

    /** How many changes of this member lost a race with another change and were re-applied. */
    public long conflicts() {
        return object.conflicts();
    }

    /** How many times the watch was lost and re-established. */
    public long watchErrors() {
        return watch.errors();
    }

    private void notifyQuietly() {
        try {
            ObjectWatch.notify(client, object.oid, NOTIFY_TIMEOUT_MILLIS);
        } catch (GatewayException e) {
            LOG.warn("the other members were not told of a change (they re-read when their watch is back): {}",
                    e.getMessage());
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (GatewayException e) {
            LOG.warn("cannot re-read the gateway group's configuration: {}", e.getMessage());
        }
    }

    /** Keeps {@code s} if it is newer; listeners hear of snapshots in version order. */
    private synchronized Snapshot adopt(Snapshot s) {
        if (s.version() <= current.version()) {
            return current;
        }
        current = s;
        for (Consumer<Snapshot> l : listeners) {
            l.accept(s);
        }
        return s;
    }

    private static Snapshot parse(VersionedObject.Versioned v) throws GatewayException {
        if (!v.exists() || v.data().length == 0) {
            return new Snapshot(GroupState.EMPTY, v.version());
        }
        try {
            return new Snapshot(JSON.readValue(v.data(), GroupState.class), v.version());
        } catch (IOException e) {
            throw new GatewayException("the gateway group's configuration is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static byte[] encode(GroupState s) throws GatewayException {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s);
        } catch (JsonProcessingException e) {
            throw new GatewayException("cannot encode the gateway group's configuration: " + e.getMessage(), e);
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
