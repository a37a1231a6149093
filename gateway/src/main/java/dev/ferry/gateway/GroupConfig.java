package dev.ferry.gateway;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.FerryConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What every member of a gateway group serves: the group's backstores and targets (subsystems, namespaces, LUNs,
 * ACLs, secret file references) as one configuration JSON in the object {@code ferry.gateway.GROUP.config}. A change
 * made through any member replaces it by compare-and-swap on its version, so a change built on an older version
 * is refused and rebuilt, never lost; the notify after it makes every member re-read and apply it live, and a
 * member that was down reads it when it returns. What differs per member (its portals, its access states, the
 * gateway section, the state directory) is not in it.
 */
public final class GroupConfig implements AutoCloseable {
    /**
     * The shared configuration and the object version it was read at.
     *
     * @param config null while no member has published one (a new group)
     */
    public record Snapshot(FerryConfig config, long version) {
    }

    private final WatchedObject object;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private GroupConfig(RadosClient client, int watchTimeoutSeconds) throws GatewayException {
        this.object = new WatchedObject(client, oid(client.group()), watchTimeoutSeconds,
                () -> listeners.forEach(Runnable::run));
    }

    /**
     * The group's configuration, watched from now on; closed with the client.
     *
     * @param watchTimeoutSeconds see {@link ObjectWatch}; 0 for the OSD's default (30 s)
     */
    public static GroupConfig open(RadosClient client, int watchTimeoutSeconds) throws GatewayException {
        GroupConfig c = new GroupConfig(client, watchTimeoutSeconds);
        c.object.start();
        return c;
    }

    static String oid(String group) {
        return GroupDocument.oid(group) + ".config";
    }

    /** The configuration as it is now in RADOS. */
    public Snapshot read() throws GatewayException {
        return parse(object.read(), object.oid);
    }

    /** Reads {@code client}'s group configuration once, without watching it (what {@code ferry gateway config} shows). */
    public static Snapshot read(RadosClient client) throws GatewayException {
        try (VersionedObject o = new VersionedObject(client, oid(client.group()))) {
            return parse(o.read(), o.oid);
        }
    }

    private static Snapshot parse(VersionedObject.Versioned v, String oid) throws GatewayException {
        if (v.data().length == 0) {
            return new Snapshot(null, v.version());
        }
        try {
            return new Snapshot(ConfigLoader.parse(new String(v.data(), StandardCharsets.UTF_8)), v.version());
        } catch (ConfigException e) {
            throw new GatewayException("the gateway group's configuration (" + oid + ", version " + v.version()
                    + ") cannot be read: " + String.join("; ", e.problems()), e);
        }
    }

    /**
     * Replaces the configuration by {@code next} if it is still at {@code version}, and tells the other members.
     *
     * @return the new snapshot, or null when another member's change landed first (rebuild on that one)
     */
    public Snapshot publish(long version, FerryConfig next) throws GatewayException {
        VersionedObject.Versioned written = object.compareAndSwap(version,
                ConfigLoader.toJson(next).getBytes(StandardCharsets.UTF_8));
        return written == null ? null : new Snapshot(next, written.version());
    }

    /** Runs {@code changed} (on the watch's thread) after every change, and whenever the watch was re-established. */
    public void onChange(Runnable changed) {
        listeners.add(changed);
    }

    /** How many publications lost a race with another member's. */
    public long conflicts() {
        return object.conflicts();
    }

    /** Sends the notifies of changes made so far, stops watching. */
    @Override
    public void close() {
        object.close();
    }
}
