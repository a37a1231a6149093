package dev.ferry.core.unit.reservation;

import java.io.IOException;
import java.util.OptionalLong;

/**
 * Where a unit's reservation state lives when several nodes serve the same medium (a gateway group's members
 * exporting one Ceph image): every node's {@link UnitReservations} reads it, commits by compare-and-swap on its
 * version, and is told when another node may have committed. The core knows nothing of how it is stored.
 */
public interface SharedReservationStore {
    /** A state and the store's version of it. */
    record Versioned(ReservationState state, long version) {
    }

    /** The state as stored now (the empty state when none was stored yet). */
    Versioned load() throws IOException;

    /**
     * Stores {@code next} if the stored version is still {@code version}.
     *
     * @return the new version, or empty when another node committed first (nothing was stored)
     */
    OptionalLong commit(long version, ReservationState next) throws IOException;

    /** Runs {@code changed} whenever another node may have committed (it then {@link #load}s). */
    void onChange(Runnable changed);

    /**
     * Returns once the other nodes have read this node's commits (or a bound passed for those that did not
     * answer): a reservation command completes only then, so no other node still admits a command the change
     * forbids. Called without any unit's lock held (a node reads under it).
     */
    default void awaitOtherNodes() {
    }
}
