package dev.ferry.backend.rbd;

import com.sun.jna.Pointer;
import dev.ferry.backend.rbd.Ceph.Rados;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Ceph clients this process writes images through, by address: what a gateway group must blocklist to fence
 * this process (its images' clients are not the group's client, and each is its own instance).
 */
public final class RbdClients {
    private static final Set<RbdImage> OPEN = ConcurrentHashMap.newKeySet();

    private RbdClients() {
    }

    static void opened(RbdImage image) {
        OPEN.add(image);
    }

    static void closed(RbdImage image) {
        OPEN.remove(image);
    }

    /** The addresses of the clients of every open image, sorted. */
    public static List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (RbdImage i : OPEN) {
            String a = i.address();
            if (a != null) {
                out.add(a);
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * A client's address as the OSD blocklist takes it ({@code IP:PORT/NONCE}, the first of its addresses: the
     * blocklist matches an address whatever its protocol version), or null when librados has none.
     */
    public static String address(long cluster) {
        long[] out = new long[1];
        if (Rados.rados_getaddrs(cluster, out) < 0) {
            return null;
        }
        try {
            String all = new Pointer(out[0]).getString(0);
            String first = all.replace("[", "").replace("]", "").split(",")[0];
            return first.replaceFirst("^(v1|v2|any):", "");
        } finally {
            Rados.rados_buffer_free(out[0]);
        }
    }
}
