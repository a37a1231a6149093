package dev.ferry.gateway;

import dev.ferry.backend.rbd.Ceph.Rados;
import dev.ferry.backend.rbd.RbdClients;
import dev.ferry.backend.rbd.RbdImage;
import dev.ferry.backend.rbd.RbdSpec;
import dev.ferry.core.backend.BackendException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's connection to its group's cluster: a {@code rados_t} (connected as the rbd backend connects, with
 * the same options) and a pool context on the group's pool and namespace. One connection is one client instance:
 * the unit the cluster blocklists, so a member that was fenced comes back only through a new RadosClient.
 */
public final class RadosClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RadosClient.class);
    /** The group's location: its pool, namespace, conf, client id and options; {@code image} is the group name. */
    public final RbdSpec spec;
    private final long cluster;
    /** The {@code rados_ioctx_t} for everything that does not read an object version (watches, locks). */
    final long ioctx;
    /** What runs on this connection and must stop before it goes ({@link #close}). */
    private final List<AutoCloseable> users = new CopyOnWriteArrayList<>();
    private boolean closed;

    private RadosClient(RbdSpec spec, long cluster, long ioctx) {
        this.spec = spec;
        this.cluster = cluster;
        this.ioctx = ioctx;
    }

    /**
     * Connects to the cluster of {@code spec} (POOL[/NAMESPACE]/GROUP[:conf=...][:id=...][:keyring=...]); an
     * IllegalArgumentException for a group name {@link GroupState#requireName} refuses.
     */
    public static RadosClient connect(RbdSpec spec) throws GatewayException {
        GroupState.requireName("group name", spec.image());
        String what = "gateway group " + spec.imageSpec();
        try {
            long cluster = RbdImage.connect(what, spec);
            try {
                return new RadosClient(spec, cluster, RbdImage.pool(what, spec, cluster));
            } catch (BackendException | RuntimeException e) {
                Rados.rados_shutdown(cluster);
                throw e;
            }
        } catch (BackendException e) {
            throw new GatewayException(e.getMessage(), e);
        }
    }

    /** The group's name. */
    public String group() {
        return spec.image();
    }

    long cluster() {
        return cluster;
    }

    /**
     * Another pool context on the same connection, for a user that reads object versions: librados keeps the
     * last version per context, so a context shared between threads would mix their versions up.
     */
    long newContext() throws GatewayException {
        try {
            return RbdImage.pool("gateway group " + spec.imageSpec(), spec, cluster);
        } catch (BackendException e) {
            throw new GatewayException(e.getMessage(), e);
        }
    }

    /** This instance's global id (the {@code client.N} the cluster knows it as). */
    public long instanceId() {
        return Rados.rados_get_instance_id(cluster);
    }

    /**
     * This instance's address as the OSD blocklist takes it ({@code IP:PORT/NONCE}, the first of its addresses:
     * the blocklist matches an address whatever its protocol version).
     */
    public String address() throws GatewayException {
        String a = RbdClients.address(cluster);
        if (a == null) {
            throw new GatewayException("cannot read this client's address");
        }
        return a;
    }

    /** Registers {@code user} (a watch, a lease) to be closed before this connection shuts down. */
    void use(AutoCloseable user) {
        users.add(user);
    }

    void unuse(AutoCloseable user) {
        users.remove(user);
    }

    /**
     * Closes its users still open (a lease still renewing, a document still watched: librados would be called on a
     * handle already freed), then disconnects.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (AutoCloseable u : List.copyOf(users)) {
            try {
                u.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", u, e);
            }
        }
        closed = true;
        Rados.rados_ioctx_destroy(ioctx);
        Rados.rados_shutdown(cluster);
    }
}
