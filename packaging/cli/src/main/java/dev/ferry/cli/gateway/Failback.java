package dev.ferry.cli.gateway;

import dev.ferry.gateway.GatewayException;
import dev.ferry.gateway.GatewayMember;
import dev.ferry.gateway.GroupState;
import dev.ferry.gateway.GroupState.Member;
import dev.ferry.gateway.GroupState.Owner;
import dev.ferry.gateway.MemberLease;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automatic failback ({@code gateway.failback: automatic}): an image this member owns goes back to its preferred
 * owner (the member that first claimed it) by a maintenance move once that member's current instance has been seen
 * holding its lease for {@code gateway.failbackSeconds}, so a member that returns after a failover gets its images
 * back only when it has proven itself stable. Runs on the gateway worker thread.
 */
final class Failback {
    private static final Logger LOG = LoggerFactory.getLogger(Failback.class);

    private final long afterNanos;
    /** When the lease of "member/instance" was first seen in force, since it last was not. */
    private final Map<String, Long> inForceSince = new HashMap<>();

    Failback(int afterSeconds) {
        this.afterNanos = afterSeconds * 1_000_000_000L;
    }

    /** Moves each image {@code m} owns to its preferred owner whose lease has been in force long enough. */
    void run(GatewayMember m) {
        GroupState s = m.document.current().state();
        Map<String, Boolean> seen = new HashMap<>();
        long now = System.nanoTime();
        for (var e : s.owners().entrySet()) {
            Owner o = e.getValue();
            Member preferred = o.preferred() == null ? null : s.members().get(o.preferred());
            if (!o.member().equals(m.name) || preferred == null || o.preferred().equals(m.name) || preferred.fenced()) {
                continue;
            }
            String key = o.preferred() + "/" + preferred.instance();
            try {
                Boolean inForce = seen.get(o.preferred());
                if (inForce == null) {
                    inForce = MemberLease.inForce(m.client, o.preferred());
                    seen.put(o.preferred(), inForce);
                }
                if (!inForce) {
                    inForceSince.remove(key);
                    continue;
                }
                long since = inForceSince.computeIfAbsent(key, k -> now);
                if (now - since < afterNanos) {
                    continue;
                }
                m.ownership.move(e.getKey(), o.preferred());
                LOG.info("failback of {} to {}, its preferred owner", e.getKey(), o.preferred());
            } catch (GatewayException x) {
                LOG.info("no failback of {} to {} yet: {}", e.getKey(), o.preferred(), x.getMessage());
            }
        }
    }
}
