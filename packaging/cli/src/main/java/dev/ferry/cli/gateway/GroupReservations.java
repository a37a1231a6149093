package dev.ferry.cli.gateway;

import dev.ferry.backend.rbd.RbdSpec;
import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.gateway.GatewayException;
import dev.ferry.gateway.RadosClient;
import dev.ferry.gateway.RadosReservations;
import java.io.IOException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the reservations of a member's rbd units in the group's RADOS ({@link RadosReservations}, one object per
 * image), so every member enforces the same registrations and holder. Units opened later (a reconfiguration, the
 * reopen of a rejoin) are shared at the next {@link #follow}; a new client (a rejoin) shares every unit again.
 * Used by the member's start, then on its one worker thread.
 */
final class GroupReservations {
    private static final Logger LOG = LoggerFactory.getLogger(GroupReservations.class);

    private final int watchTimeoutSeconds;
    private final Map<LogicalUnit, RadosReservations> shared = new IdentityHashMap<>();
    private RadosClient client;

    GroupReservations(int watchTimeoutSeconds) {
        this.watchTimeoutSeconds = watchTimeoutSeconds;
    }

    /** Shares the reservations of {@code core}'s rbd units through {@code through} (the session's client). */
    void follow(TargetCore core, RadosClient through) {
        if (through != client) {
            shared.clear(); // the stores went with the old client
            client = through;
        }
        Map<String, LogicalUnit> units = core.registry().units();
        Set<LogicalUnit> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(units.values());
        shared.entrySet().removeIf(e -> {
            if (!live.contains(e.getKey())) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        for (BackstoreConfig b : core.config().backstores()) {
            LogicalUnit u = units.get(b.name());
            if (!"rbd".equals(b.type()) || u == null || shared.containsKey(u)) {
                continue;
            }
            String image = RbdSpec.parse(b.path()).imageSpec();
            try {
                RadosReservations store = RadosReservations.open(through, image, watchTimeoutSeconds);
                try {
                    u.reservations().share(store);
                } catch (IOException | RuntimeException e) {
                    store.close();
                    throw e;
                }
                shared.put(u, store);
                LOG.info("reservations of {} are kept in the group", image);
            } catch (GatewayException | IOException | RuntimeException e) {
                LOG.warn("cannot share the reservations of {} yet: {}", image, e.toString());
            }
        }
    }
}
