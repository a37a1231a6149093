package dev.ferry.gateway;

import dev.ferry.backend.rbd.Ceph;
import dev.ferry.backend.rbd.Ceph.Rados;
import dev.ferry.backend.rbd.Errno;
import java.util.Arrays;

/**
 * One RADOS object read together with its version and replaced only by compare-and-swap on that version: a write
 * operation that asserts the version read ({@code rados_write_op_assert_version}, or exclusive create for an
 * object that did not exist) and writes the whole object atomically. A change that lost the race (-ERANGE,
 * -EOVERFLOW, -EEXIST, -ENOENT) is re-applied to what the winner wrote, so two concurrent changes both land.
 */
final class VersionedObject implements AutoCloseable {
    /** The largest object read or written: bounded before the buffer is allocated. */
    static final int MAX_BYTES = 1 << 20;
    /**
     * How often one change is re-applied after losing to another before it gives up: every lost race means another
     * change landed, so the group progresses; this bounds how long one caller can starve.
     */
    static final int MAX_ATTEMPTS = 64;

    /** The object's bytes and version; version 0 and no bytes when it does not exist. */
    record Versioned(byte[] data, long version) {
        static final Versioned ABSENT = new Versioned(new byte[0], 0);

        boolean exists() {
            return version != 0;
        }
    }

    /** A change to the object's bytes: returns the new bytes, or the same array to leave the object as it is. */
    interface Change {
        byte[] apply(Versioned current) throws GatewayException;
    }

    final String oid;
    /** A pool context of its own: librados' last version is per context. */
    private final long ioctx;
    private long conflicts;
    private boolean closed;

    VersionedObject(RadosClient client, String oid) throws GatewayException {
        this.oid = oid;
        this.ioctx = client.newContext();
    }

    /** Creates the object, empty, unless it exists (a watch needs an object to watch); false when it existed. */
    boolean create() throws GatewayException {
        long op = Rados.rados_create_write_op();
        if (op == 0) {
            throw new GatewayException("cannot create a RADOS write operation: out of memory");
        }
        int rc;
        try {
            Rados.rados_write_op_create(op, Ceph.LIBRADOS_CREATE_EXCLUSIVE, null);
            synchronized (this) {
                requireOpen();
                rc = Rados.rados_write_op_operate(op, ioctx, oid, null, 0);
            }
        } finally {
            Rados.rados_release_write_op(op);
        }
        if (rc == -Errno.EEXIST) {
            return false;
        }
        GatewayException.check(rc, "cannot create " + oid);
        return true;
    }

    /** The object as it is now. */
    synchronized Versioned read() throws GatewayException {
        requireOpen();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            long[] size = new long[1];
            int rc = Rados.rados_stat(ioctx, oid, size, null);
            if (rc == -Errno.ENOENT) {
                return Versioned.ABSENT;
            }
            GatewayException.check(rc, "cannot stat " + oid);
            if (size[0] > MAX_BYTES) {
                throw new GatewayException(oid + " holds " + size[0] + " bytes, more than " + MAX_BYTES);
            }
            // One byte more than the size: a read that fills it saw the object grow since the stat.
            byte[] buf = new byte[(int) size[0] + 1];
            rc = Rados.rados_read(ioctx, oid, buf, buf.length, 0);
            if (rc == -Errno.ENOENT) {
                return Versioned.ABSENT;
            }
            GatewayException.check(rc, "cannot read " + oid);
            if (rc < buf.length) {
                return new Versioned(Arrays.copyOf(buf, rc), Rados.rados_get_last_version(ioctx));
            }
        }
        throw new GatewayException(oid + " kept growing while being read");
    }

    /** Applies {@code change} by compare-and-swap and returns what the object holds afterwards. */
    synchronized Versioned update(Change change) throws GatewayException {
        requireOpen();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Versioned current = read();
            byte[] next = change.apply(current);
            if (next == current.data()) {
                return current;
            }
            Versioned written = write(current.version(), next);
            if (written != null) {
                return written;
            }
            conflicts++;
        }
        throw new GatewayException("gave up changing " + oid + " after " + MAX_ATTEMPTS + " concurrent changes won");
    }

    /**
     * Replaces the object by {@code next} if its version is still {@code version} (0: if it does not exist).
     *
     * @return what the object holds now, or null when another writer changed it first (counted as a conflict)
     */
    synchronized Versioned compareAndSwap(long version, byte[] next) throws GatewayException {
        requireOpen();
        Versioned written = write(version, next);
        if (written == null) {
            conflicts++;
        }
        return written;
    }

    /** One compare-and-swap write; null when it lost the race. */
    private Versioned write(long version, byte[] next) throws GatewayException {
        if (next.length > MAX_BYTES) {
            throw new GatewayException("the new " + oid + " would hold " + next.length + " bytes, more than "
                    + MAX_BYTES);
        }
        long op = Rados.rados_create_write_op();
        if (op == 0) {
            throw new GatewayException("cannot create a RADOS write operation: out of memory");
        }
        int rc;
        try {
            if (version != 0) {
                Rados.rados_write_op_assert_version(op, version);
            } else {
                Rados.rados_write_op_create(op, Ceph.LIBRADOS_CREATE_EXCLUSIVE, null);
            }
            Rados.rados_write_op_write_full(op, next, next.length);
            rc = Rados.rados_write_op_operate(op, ioctx, oid, null, 0);
        } finally {
            Rados.rados_release_write_op(op);
        }
        if (rc == 0) {
            return new Versioned(next, Rados.rados_get_last_version(ioctx));
        }
        if (rc != -Errno.ERANGE && rc != -Errno.EOVERFLOW && rc != -Errno.EEXIST && rc != -Errno.ENOENT) {
            GatewayException.check(rc, "cannot write " + oid);
        }
        return null;
    }

    /** Refuses use after close: librados would be called on a freed context. */
    private void requireOpen() throws GatewayException {
        if (closed) {
            throw new GatewayException(oid + " is closed (its connection was closed)");
        }
    }

    /** How many of this object's changes lost a race and were re-applied. */
    synchronized long conflicts() {
        return conflicts;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Rados.rados_ioctx_destroy(ioctx);
        }
    }
}
