package dev.ferry.gateway;

import dev.ferry.backend.rbd.Errno;

/** A gateway group operation that failed: the cluster refused or did not answer, or the group's rules forbid it. */
public final class GatewayException extends Exception {
    public GatewayException(String message) {
        super(message);
    }

    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Throws unless {@code rc} (a librados return value) is 0 or positive. */
    static long check(long rc, String what) throws GatewayException {
        if (rc < 0) {
            throw new GatewayException(what + ": " + Errno.name((int) -rc));
        }
        return rc;
    }
}
