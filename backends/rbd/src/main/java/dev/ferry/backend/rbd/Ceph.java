package dev.ferry.backend.rbd;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The parts of librados' and librbd's C APIs (librados.h, librbd.h of Ceph 16) that the rbd backend uses, bound
 * with JNA direct mapping. Handles ({@code rados_t}, {@code rados_ioctx_t}, {@code rbd_image_t},
 * {@code rbd_completion_t}) and buffers are native addresses held in a {@code long}; out-parameters are
 * {@code long[1]}. Every call returns 0 or a negative errno unless said otherwise. The one binding of these APIs in
 * Ferry: the gateway module uses the public librados part (objects, versions, watch/notify, locks, blocklisting).
 */
public final class Ceph {
    /** Why librados or librbd could not be loaded, or null when both are there. */
    public static final String UNAVAILABLE;

    static {
        String why = null;
        try {
            Native.register(Ceph.class, NativeLibrary.getInstance("librbd.so.1"));
            Rados.register();
        } catch (UnsatisfiedLinkError e) {
            why = "librbd is not installed (apt-get install librbd1): " + e.getMessage();
        }
        UNAVAILABLE = why;
    }

    private Ceph() {
    }

    /** librados, in its own class because JNA binds one library per class. */
    public static final class Rados {
        private Rados() {
        }

        static void register() {
            Native.register(Rados.class, NativeLibrary.getInstance("librados.so.2"));
        }

        public static native int rados_create2(long[] cluster, String clusterName, String name, long flags);

        public static native int rados_conf_read_file(long cluster, String path);

        public static native int rados_conf_set(long cluster, String option, String value);

        public static native int rados_connect(long cluster);

        /** Writes the fsid (36 characters and a NUL) and returns its length. */
        public static native int rados_cluster_fsid(long cluster, byte[] buf, long len);

        public static native void rados_shutdown(long cluster);

        public static native int rados_ioctx_create(long cluster, String pool, long[] ioctx);

        public static native long rados_ioctx_get_id(long ioctx);

        public static native void rados_ioctx_set_namespace(long ioctx, String namespace);

        public static native void rados_ioctx_destroy(long ioctx);

        /** Writes this client's addresses ({@code [v2:IP:PORT/NONCE,...]}) to {@code *addrs}; free it with
         * {@link #rados_buffer_free}. */
        public static native int rados_getaddrs(long cluster, long[] addrs);

        /** The client's global id, unique per connected instance. */
        public static native long rados_get_instance_id(long cluster);

        /** Adds {@code address} (an entity address, e.g. {@code 127.0.0.1:0/3281}) to the OSD blocklist for
         * {@code expireSeconds} (0: the monitor's default, mon_osd_blocklist_default_expire, 1 h). */
        public static native int rados_blocklist_add(long cluster, String address, int expireSeconds);

        /** Waits until this client has the newest OSD map the monitors know. */
        public static native int rados_wait_for_latest_osdmap(long cluster);

        public static native void rados_buffer_free(long buffer);

        /** Reads up to {@code len} bytes at {@code off}; returns the number read. */
        public static native int rados_read(long ioctx, String oid, byte[] buf, long len, long off);

        public static native int rados_write(long ioctx, String oid, byte[] buf, long len, long off);

        public static native int rados_stat(long ioctx, String oid, long[] size, long[] mtime);

        public static native int rados_remove(long ioctx, String oid);

        /** The object version the last synchronous operation on {@code ioctx} read or wrote. */
        public static native long rados_get_last_version(long ioctx);

        /** {@code rados_write_op_t rados_create_write_op(void)}: an operation built up, then run atomically. */
        public static native long rados_create_write_op();

        public static native void rados_release_write_op(long op);

        /** The operation fails with -ERANGE (object newer) or -EOVERFLOW (older) unless the object has
         * {@code version}. */
        public static native void rados_write_op_assert_version(long op, long version);

        /** {@code exclusive} {@link #LIBRADOS_CREATE_EXCLUSIVE}: fails with -EEXIST when the object exists. */
        public static native void rados_write_op_create(long op, int exclusive, String category);

        /** Copies {@code buf} into the operation. */
        public static native void rados_write_op_write_full(long op, byte[] buf, long len);

        public static native int rados_write_op_operate(long op, long ioctx, String oid, long[] mtime, int flags);

        /**
         * Registers a watch on {@code oid}: {@code watch} runs on a librados thread for each notify, {@code error}
         * when the watch was lost (the cookie is then dead: unwatch it and watch again). {@code timeoutSeconds} 0
         * is the OSD's osd_client_watch_timeout (30 s): a watcher that did not ping for that long is dropped.
         */
        public static native int rados_watch3(long ioctx, String oid, long[] cookie, WatchCallback watch,
                WatchErrorCallback error, int timeoutSeconds, long arg);

        public static native int rados_unwatch2(long ioctx, long cookie);

        /** Milliseconds since the watch was last confirmed, or a negative errno when it is lost. */
        public static native int rados_watch_check(long ioctx, long cookie);

        /** Waits until no watch callback of this client runs or is queued. */
        public static native int rados_watch_flush(long cluster);

        /** Notifies the watchers of {@code oid} and waits up to {@code timeoutMs} for their acks; -ETIMEDOUT when
         * one did not ack. Free {@code reply[0]} with {@link #rados_buffer_free}. */
        public static native int rados_notify2(long ioctx, String oid, byte[] buf, int len, long timeoutMs,
                long[] reply, long[] replyLen);

        public static native int rados_notify_ack(long ioctx, String oid, long notifyId, long cookie, byte[] buf,
                int len);

        /**
         * Takes the exclusive advisory lock {@code name} on {@code oid} for {@code duration} ({tv_sec, tv_usec};
         * null: forever), measured by the OSD from when it runs the request. -EBUSY when another client or cookie
         * holds it, -EEXIST when this one does and {@code flags} lacks {@link #LIBRADOS_LOCK_FLAG_RENEW}.
         */
        public static native int rados_lock_exclusive(long ioctx, String oid, String name, String cookie,
                String description, long[] duration, byte flags);

        public static native int rados_unlock(long ioctx, String oid, String name, String cookie);

        /**
         * The holders of lock {@code name} whose duration has not run out: their count, each holder's client
         * ({@code client.4123}), cookie and address NUL-terminated in turn in the three buffers; -ERANGE with the
         * lengths needed when a buffer is too small.
         */
        public static native long rados_list_lockers(long ioctx, String oid, String name, int[] exclusive,
                byte[] tag, long[] tagLength, byte[] clients, long[] clientsLength, byte[] cookies,
                long[] cookiesLength, byte[] addresses, long[] addressesLength);
    }

    /** {@code LIBRADOS_CREATE_EXCLUSIVE}. */
    public static final int LIBRADOS_CREATE_EXCLUSIVE = 1;
    /** {@code LIBRADOS_LOCK_FLAG_RENEW}: extend the lock this client and cookie hold (or take it if free). */
    public static final byte LIBRADOS_LOCK_FLAG_RENEW = 1;

    /** {@code rados_watchcb2_t}: a notify arrived on a watched object; ack it with rados_notify_ack. */
    public interface WatchCallback extends Callback {
        void invoke(long arg, long notifyId, long cookie, long notifierId, long data, long dataLength);
    }

    /** {@code rados_watcherrcb_t}: the watch {@code cookie} was lost with {@code err} (e.g. -ENOTCONN). */
    public interface WatchErrorCallback extends Callback {
        void invoke(long arg, long cookie, int err);
    }

/** {@code rbd_callback_t}: called on a librbd thread when an asynchronous operation completed. */
    interface CompletionCallback extends Callback {
        void invoke(long completion, long arg);
    }

    /** {@code rbd_update_callback_t}: called on a librbd thread after the image's header changed. */
    interface UpdateCallback extends Callback {
        void invoke(long arg);
    }

    /** {@code rbd_lock_mode_t} RBD_LOCK_MODE_EXCLUSIVE. */
    static final int RBD_LOCK_MODE_EXCLUSIVE = 0;

    /** {@code *order = 0} picks the default object size (4 MiB). */
    static native int rbd_create(long ioctx, String name, long size, int[] order);

    static native int rbd_open(long ioctx, String name, long[] image, String snapshot);

    static native int rbd_open_read_only(long ioctx, String name, long[] image, String snapshot);

    static native int rbd_close(long image);

    static native int rbd_get_size(long image, long[] size);

    /** Writes the image id (NUL-terminated); -ERANGE when {@code len} is too small. */
    static native int rbd_get_id(long image, byte[] id, long len);

    /** Grows or shrinks. (rbd_resize2 calls its progress callback without checking it for NULL.) */
    static native int rbd_resize(long image, long size);

    /** NUL-separated names; -ERANGE with {@code size[0]} set to the bytes needed when the buffer is too small. */
    static native int rbd_list(long ioctx, byte[] names, long[] size);

    /**
     * Calls {@code callback} whenever any client changed the image's header (size, snapshots, features, lock
     * owner); {@code handle[0]} is for {@link #rbd_update_unwatch}.
     */
    static native int rbd_update_watch(long image, long[] handle, UpdateCallback callback, long arg);

    /** Stops the calls, waiting for one under way. */
    static native int rbd_update_unwatch(long image, long handle);

    static native int rbd_lock_acquire(long image, int mode);

    static native int rbd_lock_release(long image);

    /**
     * Takes the callback as its native function pointer ({@code CallbackReference.getFunctionPointer}, resolved once)
     * and {@code completion} as the address of a native {@code rbd_completion_t}: with only primitive arguments JNA's
     * direct call converts nothing, where a {@link Callback} argument costs a lookup under JNA's global lock and a
     * {@code long[]} a copy in and out, on every I/O.
     */
    static native int rbd_aio_create_completion(long arg, long callback, long completion);

    static native long rbd_aio_get_return_value(long completion);

    static native void rbd_aio_release(long completion);

    static native int rbd_aio_read(long image, long offset, long length, long buffer, long completion);

    static native int rbd_aio_write(long image, long offset, long length, long buffer, long completion);

    static native int rbd_aio_discard(long image, long offset, long length, long completion);

    static native int rbd_aio_write_zeroes(long image, long offset, long length, long completion, int zeroFlags,
            int opFlags);

    /**
     * Compares {@code length} bytes at {@code offset} with {@code compare} and, if equal, writes {@code write};
     * a mismatch completes with -EILSEQ and the image offset of the first differing byte in {@code *mismatch}.
     */
    static native long rbd_aio_compare_and_write(long image, long offset, long length, long compare, long write,
            long completion, long mismatch, int opFlags);

    static native int rbd_aio_flush(long image, long completion);
}
