package dev.ferry.core.unit.reservation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Units sharing their reservation state through a {@link SharedReservationStore} (an in-memory one here; the RADOS
 * one is tested in the gateway module): compare-and-swap commits, recomputation after a lost race, and the events a
 * change made by another node causes for this node's registrants.
 */
class SharedReservationStoreTest {
    /** One state and version, as a cluster would keep it; tells its nodes of every commit when asked to. */
    private static final class MemoryStore implements SharedReservationStore {
        private Versioned stored = new Versioned(ReservationState.EMPTY, 1);
        private final List<Runnable> nodes = new ArrayList<>();
        final List<String> steps = java.util.Collections.synchronizedList(new ArrayList<>());
        UnitReservations owner;
        int commits;

        @Override
        public synchronized Versioned load() {
            return stored;
        }

        @Override
        public synchronized OptionalLong commit(long version, ReservationState next) {
            commits++;
            if (version != stored.version()) {
                return OptionalLong.empty();
            }
            stored = new Versioned(next, version + 1);
            steps.add("commit");
            return OptionalLong.of(version + 1);
        }

        @Override
        public void awaitOtherNodes() {
            steps.add(owner != null && Thread.holdsLock(owner) ? "await under the unit's lock" : "await");
        }

        @Override
        public synchronized void onChange(Runnable changed) {
            nodes.add(changed);
        }

        void notifyNodes() {
            nodes.forEach(Runnable::run);
        }
    }

    private static final Registrant A = new Registrant("iqn.a,i,0x1", "iqn.a", "iqn.t,t,0x1", 1);
    private static final Registrant B = new Registrant("iqn.b,i,0x1", "iqn.b", "iqn.t,t,0x2", 2);
    private static final Registrant HOST = Registrant.nvmeHost("nqn.2014-08.org.nvmexpress:uuid:h", UUID.randomUUID());

    private static UnitReservations node(MemoryStore store) throws IOException {
        UnitReservations u = new UnitReservations(null);
        u.share(store);
        return u;
    }

    private static void change(UnitReservations u, java.util.function.Consumer<ReservationEdit> edit) {
        u.update(() -> {
            ReservationEdit e = new ReservationEdit(u.state());
            edit.accept(e);
            try {
                u.commit(e.next(true), e.events);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return null;
        });
    }

    @Test
    void aChangeComputedFromAnOlderVersionIsComputedAgainFromTheNewer() throws IOException {
        MemoryStore store = new MemoryStore();
        UnitReservations one = node(store);
        UnitReservations two = node(store);
        assertTrue(one.persistenceCapable(), "the shared state outlives a node");
        change(one, e -> e.registrations.put(A, new Registration(1)));
        // two was not told: its first attempt is computed from the empty state and loses
        int[] attempts = {0};
        change(two, e -> {
            attempts[0]++;
            e.registrations.put(B, new Registration(2));
        });
        assertEquals(2, attempts[0]);
        assertEquals(Map.of(A, new Registration(1), B, new Registration(2)), store.load().state().registrations());
        assertEquals(2, store.load().state().generation());
        assertEquals(store.load().state(), two.state());
    }

    @Test
    void aChangeThatKeepsLosingFailsAfterMaxAttempts() throws IOException {
        MemoryStore store = new MemoryStore();
        UnitReservations one = node(store);
        UnitReservations other = node(store);
        int before = store.commits;
        UncheckedIOException failed = assertThrows(UncheckedIOException.class, () -> change(one, e -> {
            change(other, o -> o.registrations.put(B, new Registration(o.registrations.size() + 1L)));
            e.registrations.put(A, new Registration(1));
        }));
        assertTrue(failed.getCause().getMessage().contains("gave up"), failed.getCause().getMessage());
        assertEquals(2 * UnitReservations.MAX_ATTEMPTS, store.commits - before, "no spinning past the bound");
    }

    @Test
    void anotherNodesChangeTellsThisNodesRegistrants() throws IOException {
        MemoryStore store = new MemoryStore();
        UnitReservations here = node(store);
        UnitReservations there = node(store);
        List<Map.Entry<Registrant, ReservationEvent>> told = new ArrayList<>();
        ReservationListener listener = (who, event) -> told.add(Map.entry(who, event));
        here.addListener(listener);
        change(here, e -> {
            e.registrations.put(A, new Registration(1));
            e.registrations.put(B, new Registration(2));
            e.reservation = new Reservation(ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, A);
        });
        there.refresh();
        change(there, e -> e.reservation = null); // A releases through the other node
        store.notifyNodes();
        assertEquals(List.of(Map.entry(B, ReservationEvent.RESERVATION_RELEASED)), told);
        told.clear();
        change(there, e -> e.registrations.put(HOST, new Registration(3)));
        store.notifyNodes();
        assertEquals(List.of(), told, "a registration elsewhere tells nobody");
        change(there, e -> e.registrations.clear()); // CLEAR through the other node
        store.notifyNodes();
        assertEquals(List.of(Map.entry(A, ReservationEvent.RESERVATION_PREEMPTED),
                Map.entry(B, ReservationEvent.RESERVATION_PREEMPTED),
                Map.entry(HOST, ReservationEvent.RESERVATION_PREEMPTED)), told);
        assertEquals(ReservationState.EMPTY.registrations(), here.state().registrations());
    }

    /**
     * A reservation command through {@link UnitReservations#change} is answered only after the other nodes have
     * read it ({@link SharedReservationStore#awaitOtherNodes}, which runs without the unit's lock: a node reads
     * under it), so no node still admits a command the change forbids once the initiator is told.
     */
    @Test
    void aChangeIsAnsweredOnlyAfterTheOtherNodesHaveIt() throws Exception {
        MemoryStore store = new MemoryStore();
        UnitReservations u = node(store);
        store.owner = u;
        java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
        assertTrue(u.change(() -> {
            change(u, e -> e.registrations.put(A, new Registration(1)));
            return null;
        }, Runnable::run, (result, failure) -> {
            store.steps.add("answered");
            answered.countDown();
        }));
        assertTrue(answered.await(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(List.of("commit", "await", "answered"), store.steps);
    }
}
