package dev.ferry.backend.rbd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an rbd backstore's {@code path} names, in QEMU's rbd syntax without its {@code rbd:} prefix:
 * {@code POOL[/NAMESPACE]/IMAGE[:conf=FILE][:id=CLIENT][:keyring=FILE][:OPTION=VALUE]...}. {@code conf} is the
 * ceph.conf to read (default: Ceph's search path, /etc/ceph/ceph.conf first), {@code id} the client id (default
 * {@code admin}); every other key is a Ceph option set on this client ({@code keyring},
 * {@code rados_osd_op_timeout}, ...), overriding the conf file and Ferry's defaults ({@link RbdImage#DEFAULTS}),
 * except those the unit's description depends on ({@link RbdImage#REQUIRED}).
 *
 * @param options the Ceph options in the order given
 */
public record RbdSpec(String pool, String namespace, String image, String conf, String id,
        Map<String, String> options) {
    static final String DEFAULT_ID = "admin";

    /** Parses {@code path}; throws IllegalArgumentException naming what is wrong. */
    public static RbdSpec parse(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("an rbd backstore needs POOL/IMAGE (e.g. rbd/disk0)");
        }
        String[] parts = path.split(":", -1);
        String[] names = parts[0].split("/", -1);
        if (names.length < 2 || names.length > 3) {
            throw new IllegalArgumentException("'" + parts[0] + "' is not POOL/IMAGE or POOL/NAMESPACE/IMAGE");
        }
        for (String n : names) {
            if (n.isEmpty() || n.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '@')) {
                throw new IllegalArgumentException("'" + parts[0] + "': pool, namespace and image names must be"
                        + " non-empty, without spaces, control characters or '@' (snapshots are not exported)");
            }
        }
        String conf = null;
        String id = DEFAULT_ID;
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0 || eq == parts[i].length() - 1) {
                throw new IllegalArgumentException("'" + parts[i] + "' is not KEY=VALUE");
            }
            String key = parts[i].substring(0, eq);
            String value = parts[i].substring(eq + 1);
            if (RbdImage.REQUIRED.containsKey(key)) {
                throw new IllegalArgumentException("'" + key + "' is always " + RbdImage.REQUIRED.get(key)
                        + " for Ferry: the unit's write cache and discard behaviour depend on it");
            }
            switch (key) {
                case "conf" -> conf = value;
                case "id" -> id = value;
                default -> options.put(key, value);
            }
        }
        return new RbdSpec(names[0], names.length == 3 ? names[1] : null, names[names.length - 1], conf, id,
                Collections.unmodifiableMap(options));
    }

    /** The path that {@link #parse} reads back to this spec. */
    public static String format(String pool, String namespace, String image, String conf, String id,
            String keyring) {
        List<String> parts = new ArrayList<>();
        parts.add(pool + (namespace == null ? "" : "/" + namespace) + "/" + image);
        if (conf != null) {
            parts.add("conf=" + conf);
        }
        if (id != null) {
            parts.add("id=" + id);
        }
        if (keyring != null) {
            parts.add("keyring=" + keyring);
        }
        return String.join(":", parts);
    }

    /** {@code pool[/namespace]/image}, for messages. */
    public String imageSpec() {
        return pool + (namespace == null ? "" : "/" + namespace) + "/" + image;
    }
}
