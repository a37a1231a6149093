package dev.ferry.core.frontend;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts a TCP frontend's open connections per listening portal and per initiator (host) IP address, so that an
 * accepted connection that would exceed either limit is closed before any handler or buffer is set up for it: a
 * flood of connections holds at most {@code perPortalLimit} of them per portal and {@code perAddressLimit} per
 * address. Shared by the iSCSI and NVMe/TCP frontends, which call {@link #admit} on accept and {@link #release}
 * when an admitted connection closes. Thread-safe (accepted connections are set up on the worker loops).
 */
public final class ConnectionAdmission {
    private final int perPortalLimit;
    private final int perAddressLimit;
    private final Map<Object, Integer> perPortal = new HashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();

    /**
     * @param perPortalLimit  connections one listening portal keeps at once
     * @param perAddressLimit connections from one remote IP address at once, over all portals
     */
    public ConnectionAdmission(int perPortalLimit, int perAddressLimit) {
        if (perPortalLimit < 1 || perAddressLimit < 1) {
            throw new IllegalArgumentException("connection limits must be positive: per portal " + perPortalLimit
                    + ", per address " + perAddressLimit);
        }
        this.perPortalLimit = perPortalLimit;
        this.perAddressLimit = perAddressLimit;
    }

    /**
     * Whether a connection accepted on {@code portal} (the listening socket, any object with identity) from
     * {@code from} may stay; if so it is counted until {@link #release} with the same two.
     */
    public synchronized boolean admit(Object portal, InetAddress from) {
        if (perPortal.getOrDefault(portal, 0) >= perPortalLimit
                || perAddress.getOrDefault(from, 0) >= perAddressLimit) {
            return false;
        }
        perPortal.merge(portal, 1, Integer::sum);
        perAddress.merge(from, 1, Integer::sum);
        return true;
    }

    /** An admitted connection closed: its place is free again. Call once per admitted connection. */
    public synchronized void release(Object portal, InetAddress from) {
        perPortal.computeIfPresent(portal, (k, n) -> n == 1 ? null : n - 1);
        perAddress.computeIfPresent(from, (k, n) -> n == 1 ? null : n - 1);
    }
}
