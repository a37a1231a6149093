package dev.ferry.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /** A state and the object version it was read at (0: the group's object does not exist yet). */
    public record Snapshot(GroupState state, long version) {
    }

    /** A change of the group's state: returns the new state, the same one for no change, or throws to refuse. */
    public interface Change {
        GroupState apply(GroupState current) throws GatewayException;
    }

    private final WatchedObject object;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot current = new Snapshot(GroupState.EMPTY, 0);

    private GroupDocument(RadosClient client, int watchTimeoutSeconds) throws GatewayException {
        this.object = new WatchedObject(client, oid(client.group()), watchTimeoutSeconds, this::refreshQuietly);
    }

    /**
     * Watches the group's document and reads it.
     *
     * @param watchTimeoutSeconds see {@link ObjectWatch}; 0 for the OSD's default (30 s)
     */
    public static GroupDocument open(RadosClient client, int watchTimeoutSeconds) throws GatewayException {
        GroupDocument d = new GroupDocument(client, watchTimeoutSeconds);
        d.object.start();
        try {
            d.refresh();
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
        return adopt(parse(object.update(v -> {
            GroupState before = parse(v).state();
            GroupState after = change.apply(before);
            return after.equals(before) ? v.data() : encode(after);
        })));
    }

    /** How many changes of this member lost a race with another change and were re-applied. */
    public long conflicts() {
        return object.conflicts();
    }

    /** How many times the watch was lost and re-established. */
    public long watchErrors() {
        return object.watchErrors();
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
        object.close();
    }
}
