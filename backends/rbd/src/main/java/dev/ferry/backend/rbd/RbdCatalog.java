package dev.ferry.backend.rbd;

import dev.ferry.core.backend.BackendException;
import java.util.List;
import java.util.Map;

/** The images of a pool, for {@code ferry rbd ls}: read from the cluster directly, without a daemon. */
public final class RbdCatalog {
    private RbdCatalog() {
    }

    /**
     * @param namespace a RADOS namespace, or null for the pool's default one
     * @param conf      the ceph.conf, or null for Ceph's search path
     * @param id        the client id, or null for {@code admin}
     * @param keyring   the keyring, or null for the conf's
     */
    public static List<RbdImageInfo> images(String pool, String namespace, String conf, String id, String keyring)
            throws BackendException {
        return RbdImage.list(new RbdSpec(pool, namespace, "", conf, id == null ? RbdSpec.DEFAULT_ID : id,
                keyring == null ? Map.of() : Map.of("keyring", keyring)));
    }

    /** The backstore {@code path} naming {@code pool[/namespace]/image} with these client settings (null: none). */
    public static String path(String pool, String namespace, String image, String conf, String id, String keyring) {
        return RbdSpec.format(pool, namespace, image, conf, id, keyring);
    }
}
