package dev.ferry.gateway;

/**
 * Secrets the group's configuration refers to (CHAP and DH-HMAC-CHAP secrets an admin gave on standard input),
 * one object {@code ferry.gateway.GROUP.secret.NAME} each in the group's pool, so every member can write the file
 * its configuration names. They are as safe as the group's images: readable by the Ceph clients that may read
 * its pool, and by nobody else.
 */
public final class GroupSecrets {
    /** Far above any CHAP (255 bytes) or DHHC-1 secret; bounds what a member reads before it allocates. */
    public static final int MAX_BYTES = 4096;

    private GroupSecrets() {
    }

    static String oid(String group, String name) {
        return GroupDocument.oid(group) + ".secret." + name;
    }

    /** Stores secret {@code name} for every member (replacing the one of that name). */
    public static void store(RadosClient client, String name, byte[] secret) throws GatewayException {
        if (secret.length == 0 || secret.length > MAX_BYTES) {
            throw new GatewayException("secret " + name + ": " + secret.length + " bytes, must be 1-" + MAX_BYTES);
        }
        try (VersionedObject o = new VersionedObject(client, oid(client.group(), name))) {
            o.update(v -> secret);
        }
    }

    /** Reads secret {@code name}; refused when the group has none of that name. */
    public static byte[] read(RadosClient client, String name) throws GatewayException {
        try (VersionedObject o = new VersionedObject(client, oid(client.group(), name))) {
            VersionedObject.Versioned v = o.read();
            if (!v.exists() || v.data().length == 0) {
                throw new GatewayException("the gateway group has no secret " + name);
            }
            if (v.data().length > MAX_BYTES) {
                throw new GatewayException("secret " + name + " holds " + v.data().length + " bytes, more than "
                        + MAX_BYTES);
            }
            return v.data();
        }
    }
}
