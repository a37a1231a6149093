package dev.ferry.frontend.iscsi;

import dev.ferry.frontend.iscsi.session.ConnectionLimits;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts the open connections per listening portal and per initiator address, and turns away an accepted one that
 * would exceed {@link ConnectionLimits#connectionsPerPortal} or {@link ConnectionLimits#connectionsPerAddress}
 * before any handler or buffer is set up for it. Thread-safe (accept happens on the worker loops).
 */
final class ConnectionAdmission {
    private final ConnectionLimits limits;
    private final Map<Channel, Integer> perPortal = new HashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();

    ConnectionAdmission(ConnectionLimits limits) {
        this.limits = limits;
    }

    /** Whether the connection may stay; if so it is counted until it closes. */
    synchronized boolean admit(Channel ch) {
        Channel portal = ch.parent();
        if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
            return false; // already gone
        }
        InetAddress from = remote.getAddress();
        if (perPortal.getOrDefault(portal, 0) >= limits.connectionsPerPortal()
                || perAddress.getOrDefault(from, 0) >= limits.connectionsPerAddress()) {
            return false;
        }
        perPortal.merge(portal, 1, Integer::sum);
        perAddress.merge(from, 1, Integer::sum);
        ch.closeFuture().addListener(f -> release(portal, from));
        return true;
    }

    private synchronized void release(Channel portal, InetAddress from) {
        perPortal.computeIfPresent(portal, (k, n) -> n == 1 ? null : n - 1);
        perAddress.computeIfPresent(from, (k, n) -> n == 1 ? null : n - 1);
    }
}
