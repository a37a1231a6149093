package dev.ferry.backend.rbd;

import dev.ferry.backend.rbd.Ceph.Rados;
import dev.ferry.core.backend.BackendException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One open RBD image and the cluster connection and pool context under it: a {@code rados_t} per image, as QEMU
 * and tcmu-runner do, so that images of different clusters or client ids do not share state. Opening and closing
 * block; the asynchronous I/O on {@link #image} is {@link RbdBackend}'s.
 */
public final class RbdImage implements AutoCloseable {
    /**
     * Ceph options Ferry sets on its clients, which a spec's options may change. Without these timeouts a call to a
     * cluster that stopped answering waits forever (librados' defaults: 300 s to connect, no limit for operations);
     * 30 s is the SCSI layer's default command timeout on Linux, so the initiator hears of a lost cluster about
     * when it would have given up anyway. librados' own messages stay out of Ferry's log. librbd starts each
     * request on the calling thread, which is a worker of Ferry's (RbdBackend), not on a queue of its own
     * (rbd_non_blocking_aio = true, librbd's default, costs one more thread hand-off per I/O).
     */
    static final Map<String, String> DEFAULTS = Map.of(
            "rbd_non_blocking_aio", "false",
            "client_mount_timeout", "30",
            "rados_mon_op_timeout", "30",
            "rados_osd_op_timeout", "30",
            "log_to_stderr", "false",
            "err_to_stderr", "false");
    /**
     * Ceph options the unit's description depends on, which a spec may not change ({@link RbdSpec#parse} refuses
     * them). No librbd cache: a write is on the OSDs when it completes, as the unit reports no volatile write
     * cache. Discards always zero their range (librbd otherwise skips the parts of a range smaller than its 64 KiB
     * granularity), as the unit reports that unmapped blocks read back as zeroes.
     */
    static final Map<String, String> REQUIRED = Map.of(
            "rbd_cache", "false",
            "rbd_skip_partial_discard", "false");
    private static final int FSID_BYTES = 37;
    private static final int ID_BYTES = 64;

    final RbdSpec spec;
    final String fsid;
    final long poolId;
    final String imageId;
    private long cluster;
    private long ioctx;
    /** The rbd_image_t. */
    final long image;

    private RbdImage(RbdSpec spec, long cluster, long ioctx, long image, String fsid, long poolId, String imageId) {
        this.spec = spec;
        this.cluster = cluster;
        this.ioctx = ioctx;
        this.image = image;
        this.fsid = fsid;
        this.poolId = poolId;
        this.imageId = imageId;
    }

    /**
     * Connects and opens the image, creating it with {@code createBytes} when it does not exist and that is
     * positive.
     *
     * @param what how messages name the backstore ("backstore disk0")
     */
    static RbdImage open(String what, RbdSpec spec, long createBytes) throws BackendException {
        long cluster = connect(what, spec);
        long ioctx = 0;
        long image = 0;
        try {
            ioctx = pool(what, spec, cluster);
            long[] out = new long[1];
            int rc = Ceph.rbd_open(ioctx, spec.image(), out, null);
            if (rc == -Errno.ENOENT && createBytes > 0) {
                rc = Ceph.rbd_create(ioctx, spec.image(), createBytes, new int[] {0});
                if (rc < 0 && rc != -Errno.EEXIST) {
                    throw new BackendException(what + ": cannot create image " + spec.imageSpec() + " of "
                            + createBytes + " bytes: " + Errno.name(-rc));
                }
                rc = Ceph.rbd_open(ioctx, spec.image(), out, null);
            }
            if (rc == -Errno.ENOENT) {
                throw new BackendException(what + ": image " + spec.imageSpec() + " does not exist (give a size to"
                        + " create it)");
            }
            check(rc, what + ": cannot open image " + spec.imageSpec());
            image = out[0];
            byte[] id = new byte[ID_BYTES];
            check(Ceph.rbd_get_id(image, id, id.length), what + ": cannot read the id of " + spec.imageSpec());
            RbdImage opened = new RbdImage(spec, cluster, ioctx, image, fsid(cluster),
                    Rados.rados_ioctx_get_id(ioctx), cString(id));
            RbdClients.opened(opened);
            return opened;
        } catch (BackendException | RuntimeException e) {
            if (image != 0) {
                Ceph.rbd_close(image);
            }
            release(cluster, ioctx);
            throw e;
        }
    }

    /**
     * The images in the pool (and namespace) of {@code where}, in the cluster's order, each with its size: opened
     * read-only for the moment that takes, through one connection. An image removed meanwhile is left out.
     */
    static List<RbdImageInfo> list(RbdSpec where) throws BackendException {
        String what = "pool " + where.pool() + (where.namespace() == null ? "" : "/" + where.namespace());
        long cluster = connect(what, where);
        long ioctx = 0;
        try {
            ioctx = pool(what, where, cluster);
            long[] size = {4096};
            byte[] names;
            int rc;
            do {
                names = new byte[(int) size[0]];
                rc = Ceph.rbd_list(ioctx, names, size);
            } while (rc == -Errno.ERANGE && size[0] > names.length && size[0] < Integer.MAX_VALUE);
            check(rc, "cannot list the images of " + what);
            List<RbdImageInfo> result = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < rc; i++) {
                if (names[i] == 0) {
                    if (i > start) {
                        String name = new String(names, start, i - start, StandardCharsets.UTF_8);
                        long bytes = sizeOf(ioctx, name);
                        if (bytes >= 0) {
                            result.add(new RbdImageInfo(name, bytes));
                        }
                    }
                    start = i + 1;
                }
            }
            return result;
        } finally {
            release(cluster, ioctx);
        }
    }

    /** The size of image {@code name}, or -1 when it is gone. */
    private static long sizeOf(long ioctx, String name) throws BackendException {
        long[] image = new long[1];
        int rc = Ceph.rbd_open_read_only(ioctx, name, image, null);
        if (rc == -Errno.ENOENT) {
            return -1;
        }
        check(rc, "cannot open image " + name);
        try {
            long[] size = new long[1];
            check(Ceph.rbd_get_size(image[0], size), "cannot read the size of image " + name);
            return size[0];
        } finally {
            Ceph.rbd_close(image[0]);
        }
    }

    /**
     * A connected {@code rados_t} for {@code spec}'s conf, client id and options, with Ferry's {@link #DEFAULTS}
     * and {@link #REQUIRED} options; the caller shuts it down ({@code rados_shutdown}).
     */
    public static long connect(String what, RbdSpec spec) throws BackendException {
        if (Ceph.UNAVAILABLE != null) {
            throw new BackendException(what + ": " + Ceph.UNAVAILABLE);
        }
        long[] out = new long[1];
        check(Rados.rados_create2(out, "ceph", "client." + spec.id(), 0), what + ": cannot create a Ceph client");
        long cluster = out[0];
        try {
            int rc = Rados.rados_conf_read_file(cluster, spec.conf());
            if (rc < 0) {
                throw new BackendException(what + ": cannot read " + (spec.conf() == null
                        ? "a ceph.conf (none in /etc/ceph/ceph.conf, ~/.ceph/config, ./ceph.conf; give conf=FILE)"
                        : "the Ceph configuration " + spec.conf()) + ": " + Errno.name(-rc));
            }
            for (Map.Entry<String, String> o : DEFAULTS.entrySet()) {
                check(Rados.rados_conf_set(cluster, o.getKey(), o.getValue()), what + ": Ceph option " + o.getKey());
            }
            for (Map.Entry<String, String> o : spec.options().entrySet()) {
                rc = Rados.rados_conf_set(cluster, o.getKey(), o.getValue());
                if (rc < 0) {
                    throw new BackendException(what + ": Ceph option " + o.getKey() + "=" + o.getValue() + " is "
                            + (rc == -Errno.ENOENT ? "unknown" : "refused: " + Errno.name(-rc)));
                }
            }
            for (Map.Entry<String, String> o : REQUIRED.entrySet()) {
                check(Rados.rados_conf_set(cluster, o.getKey(), o.getValue()), what + ": Ceph option " + o.getKey());
            }
            rc = Rados.rados_connect(cluster);
            if (rc < 0) {
                throw new BackendException(what + ": " + connectProblem(spec, -rc));
            }
            return cluster;
        } catch (BackendException | RuntimeException e) {
            Rados.rados_shutdown(cluster);
            throw e;
        }
    }

    private static String connectProblem(RbdSpec spec, int errno) {
        String client = "client." + spec.id();
        return switch (errno) {
            case Errno.ETIMEDOUT -> "the Ceph cluster is unreachable: no monitor answered within "
                    + spec.options().getOrDefault("client_mount_timeout", DEFAULTS.get("client_mount_timeout"))
                    + " s (client_mount_timeout)";
            case Errno.EACCES, Errno.EPERM -> "the Ceph cluster refused " + client + ": wrong key or no such client"
                    + " (" + Errno.name(errno) + ")";
            case Errno.ENOENT -> "no keyring holds a key for " + client + " (give keyring=FILE)";
            default -> "cannot connect to the Ceph cluster as " + client + ": " + Errno.name(errno);
        };
    }

    /** A {@code rados_ioctx_t} on {@code spec}'s pool and namespace; the caller destroys it. */
    public static long pool(String what, RbdSpec spec, long cluster) throws BackendException {
        long[] out = new long[1];
        int rc = Rados.rados_ioctx_create(cluster, spec.pool(), out);
        if (rc == -Errno.ENOENT) {
            throw new BackendException(what + ": pool " + spec.pool() + " does not exist");
        }
        check(rc, what + ": cannot open pool " + spec.pool());
        if (spec.namespace() != null) {
            Rados.rados_ioctx_set_namespace(out[0], spec.namespace());
        }
        return out[0];
    }

    private static String fsid(long cluster) throws BackendException {
        byte[] buf = new byte[FSID_BYTES];
        check(Rados.rados_cluster_fsid(cluster, buf, buf.length), "cannot read the cluster fsid");
        return cString(buf);
    }

    long size() throws BackendException {
        long[] size = new long[1];
        check(Ceph.rbd_get_size(image, size), "cannot read the size of image " + spec.imageSpec());
        return size[0];
    }

    void resize(long bytes) throws BackendException {
        check(Ceph.rbd_resize(image, bytes), "cannot resize image " + spec.imageSpec() + " to "
                + bytes + " bytes");
    }

    static void check(long rc, String what) throws BackendException {
        if (rc < 0) {
            throw new BackendException(what + ": " + Errno.name((int) -rc));
        }
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    /** This image's client's address ({@link RbdClients#address}), or null once closed. */
    synchronized String address() {
        return cluster == 0 ? null : RbdClients.address(cluster);
    }

    private static void release(long cluster, long ioctx) {
        if (ioctx != 0) {
            Rados.rados_ioctx_destroy(ioctx);
        }
        Rados.rados_shutdown(cluster);
    }

    /** Closes the image (waiting for librbd's own work on it), then the pool context and the connection. */
    @Override
    public synchronized void close() {
        if (cluster == 0) {
            return;
        }
        RbdClients.closed(this);
        Ceph.rbd_close(image);
        release(cluster, ioctx);
        cluster = 0;
        ioctx = 0;
    }
}
