package dev.ferry.gateway;

import dev.ferry.backend.rbd.Ceph.Rados;
import java.time.Duration;

/**
 * Fencing a member through Ceph: its RADOS client's address goes on the OSD blocklist, after which every OSD
 * refuses that client's operations (-EBLOCKLISTED, which is -ESHUTDOWN) and drops its watches, whatever state
 * the member is in (dead, hung, cut off and still writing). The member comes back only as a new client instance,
 * with a new address ({@link RadosClient#connect}).
 *
 * <p>Latency: {@code rados_blocklist_add} returns once the monitors committed the OSD map with the entry, and this
 * then waits until this client has that map. Every operation this client sends afterwards carries that map epoch,
 * and an OSD handles it only once it has the map too; so from the survivor's first write to an object on, the
 * fenced client can no longer write that object. Cost: one monitor commit (paxos) and one map round trip.
 */
public final class Fencing {
    /**
     * How long a blocklist entry lasts: longer than a hung member can plausibly stay hung with operations queued
     * (the monitor's own default is 1 h). The fenced client cannot use its connection again anyway: its session
     * is reset by the blocklist and the member reconnects as a new instance.
     */
    public static final Duration DEFAULT_EXPIRY = Duration.ofHours(1);

    private Fencing() {
    }

    /** Blocklists {@code address} for {@code expiry}, through {@code survivor}'s connection. */
    public static void blocklist(RadosClient survivor, String address, Duration expiry) throws GatewayException {
        if (address == null || address.isBlank()) {
            throw new GatewayException("no RADOS client address to blocklist");
        }
        long seconds = Math.max(1, Math.min(expiry.toSeconds(), Integer.MAX_VALUE));
        GatewayException.check(Rados.rados_blocklist_add(survivor.cluster(), address, (int) seconds),
                "cannot blocklist " + address);
        GatewayException.check(Rados.rados_wait_for_latest_osdmap(survivor.cluster()),
                "cannot fetch the OSD map with the blocklist entry for " + address);
    }
}
