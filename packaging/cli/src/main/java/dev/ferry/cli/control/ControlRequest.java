package dev.ferry.cli.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.core.config.FerryConfig;

/**
 * One request on the control socket.
 *
 * @param op          {@code get-config}, {@code apply-config}, {@code store-secret}, {@code reread-capacity} or
 *                    {@code status}
 * @param revision    apply-config: the revision the new configuration was built from (refused as a conflict when
 *                    the running one is newer, so concurrent CLI calls never overwrite each other's changes)
 * @param config      apply-config: the whole new configuration
 * @param name        store-secret: the file name for the secret; reread-capacity: the backstore
 * @param secret      store-secret: the secret, which only ever travels over this socket
 * @param allowShrink apply-config: a backstore whose size went down may shrink (only while nothing maps it)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlRequest(String op, Long revision, FerryConfig config, String name, String secret,
                             Boolean allowShrink) {
    public static final String GET_CONFIG = "get-config";
    public static final String APPLY_CONFIG = "apply-config";
    public static final String STORE_SECRET = "store-secret";
    /** A backstore whose size is its device's reads it again (after an admin grew the device). */
    public static final String REREAD_CAPACITY = "reread-capacity";
    public static final String STATUS = "status";

    public ControlRequest(String op, Long revision, FerryConfig config, String name, String secret) {
        this(op, revision, config, name, secret, null);
    }

    public static ControlRequest of(String op) {
        return new ControlRequest(op, null, null, null, null);
    }

    @Override
    public String toString() {
        return "ControlRequest[op=" + op + ", revision=" + revision + "]"; // never the secret
    }
}
