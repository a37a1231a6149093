package dev.ferry.backend.rbd;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The parts of librados' and librbd's C APIs (librados.h, librbd.h of Ceph 16) that the rbd backend uses, bound
 * with JNA direct mapping. Handles ({@code rados_t}, {@code rados_ioctx_t}, {@code rbd_image_t},
 * {@code rbd_completion_t}) and buffers are native addresses held in a {@code long}; out-parameters are
 * {@code long[1]}. Every call returns 0 or a negative errno unless said otherwise.
 */
final class Ceph {
    /** Why librados or librbd could not be loaded, or null when both are there. */
    static final String UNAVAILABLE;

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
    static final class Rados {
        private Rados() {
        }

        static void register() {
            Native.register(Rados.class, NativeLibrary.getInstance("librados.so.2"));
        }

        static native int rados_create2(long[] cluster, String clusterName, String name, long flags);

        static native int rados_conf_read_file(long cluster, String path);

        static native int rados_conf_set(long cluster, String option, String value);

        static native int rados_connect(long cluster);

        /** Writes the fsid (36 characters and a NUL) and returns its length. */
        static native int rados_cluster_fsid(long cluster, byte[] buf, long len);

        static native void rados_shutdown(long cluster);

        static native int rados_ioctx_create(long cluster, String pool, long[] ioctx);

        static native long rados_ioctx_get_id(long ioctx);

        static native void rados_ioctx_set_namespace(long ioctx, String namespace);

        static native void rados_ioctx_destroy(long ioctx);
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
