package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.rbd.CephCluster;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationEdit;
import dev.ferry.core.unit.reservation.ReservationEvent;
import dev.ferry.core.unit.reservation.ReservationListener;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import dev.ferry.core.unit.reservation.ReservationType;
import dev.ferry.core.unit.reservation.UnitReservations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One image's reservations shared by two members' units through RADOS (real single-node Ceph): what one member
 * commits the other reports and enforces, concurrent changes both land, a lost compare-and-swap is computed again.
 */
class RadosReservationsTest {
    private static final String IMAGE = "rbd/disk1";
    private static CephCluster ceph;

    @BeforeAll
    static void startCeph() throws Exception {
        ceph = CephCluster.start(true);
    }

    @AfterAll
    static void stopCeph() {
        if (ceph != null) {
            ceph.close();
        }
    }

    /** A member's unit of the image: its own client, store and UnitReservations. */
    private record Member(RadosClient client, RadosReservations store, UnitReservations unit)
            implements AutoCloseable {
        static Member join(String group) throws Exception {
            RadosClient c = GroupDocumentTest.connect(ceph, group);
            RadosReservations s = RadosReservations.open(c, IMAGE, 0);
            UnitReservations u = new UnitReservations(null);
            u.share(s);
            return new Member(c, s, u);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static Registrant iscsi(String initiator, int tpgt) {
        return new Registrant(initiator + ",i,0x023d00000001", initiator, "iqn.2026-12.dev.ferry:t1,t,0x" + tpgt, tpgt);
    }

    /** The protocol-neutral part of a REGISTER: the change computed from the state the unit has, retried. */
    private static void register(UnitReservations u, Registrant who, long key) {
        u.update(() -> {
            ReservationEdit e = new ReservationEdit(u.state());
            e.registrations.put(who, new Registration(key));
            commit(u, e, true);
            return null;
        });
    }

    private static void reserve(UnitReservations u, Registrant who, ReservationType type) {
        u.update(() -> {
            ReservationEdit e = new ReservationEdit(u.state());
            e.reservation = new Reservation(type, who);
            commit(u, e, false);
            return null;
        });
    }

    private static void commit(UnitReservations u, ReservationEdit e, boolean newGeneration) {
        try {
            u.commit(e.next(newGeneration), e.events);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void aReservationTakenThroughOneMemberIsReportedAndEnforcedByTheOtherAndOutlivesIt() throws Exception {
        Registrant holder = iscsi("iqn.1994-05.com.redhat:a", 1);
        Registrant host = Registrant.nvmeHost("nqn.2014-08.org.nvmexpress:uuid:h1", UUID.randomUUID());
        Registrant other = iscsi("iqn.1994-05.com.redhat:b", 2);
        try (Member b = Member.join("resv")) {
            try (Member a = Member.join("resv")) {
                register(a.unit, holder, 0xA1);
                register(a.unit, host, 0xB2);
                reserve(a.unit, holder, ReservationType.WRITE_EXCLUSIVE);
                ReservationState atA = a.unit.state();
                Await.until("member b read a's reservation", () -> b.unit.state().equals(atA));
            }
            // a is gone (its client closed): b keeps enforcing what is in RADOS
            assertEquals(holder, b.unit.state().reservation().holder());
            assertEquals(2, b.unit.state().generation());
            assertTrue(b.unit.conflicts(other, true), "another initiator's write through b conflicts");
            assertFalse(b.unit.conflicts(other, false), "its read does not (Write Exclusive)");
            assertTrue(b.unit.conflicts(host, true), "a registrant that does not hold Write Exclusive conflicts");
            assertFalse(b.unit.conflicts(holder, true));
            try (Member c = Member.join("resv")) {
                assertEquals(b.unit.state(), c.unit.state(), "a member that joins reads the state");
            }
        }
    }

    @Test
    void concurrentRegistrationsThroughTwoMembersAllLand() throws Exception {
        int each = 20;
        try (Member a = Member.join("conc"); Member b = Member.join("conc")) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (Member m : List.of(a, b)) {
                    int tpgt = m == a ? 1 : 2;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            register(m.unit, iscsi("iqn.2026-12.test:i" + i, tpgt), 0x100 + i);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            ReservationState last = a.store.load().state();
            assertEquals(2 * each, last.registrations().size(), "a registration was lost");
            assertEquals(2 * each, last.generation(), "the generation counts every registration");
            Await.until("both members read the last state",
                    () -> a.unit.state().equals(last) && b.unit.state().equals(last));
        }
    }

    @Test
    void aChangeThatLostTheCompareAndSwapIsComputedAgainFromTheWinnersState() throws Exception {
        Registrant ra = iscsi("iqn.2026-12.test:ra", 1);
        Registrant rb = iscsi("iqn.2026-12.test:rb", 2);
        try (Member a = Member.join("cas"); Member b = Member.join("cas")) {
            int[] attempts = {0};
            b.unit.update(() -> {
                ReservationEdit e = new ReservationEdit(b.unit.state());
                if (attempts[0]++ == 0) {
                    register(a.unit, ra, 0xAA); // lands between b's read and b's commit
                }
                e.registrations.put(rb, new Registration(0xBB));
                commit(b.unit, e, true);
                return null;
            });
            assertEquals(2, attempts[0], "b computed its change again after losing the race");
            assertEquals(1, b.store.conflicts());
            ReservationState s = b.store.load().state();
            assertEquals(Map.of(ra, new Registration(0xAA), rb, new Registration(0xBB)), s.registrations());
            assertEquals(2, s.generation());
            assertEquals(s, b.unit.state());
        }
    }

    @Test
    void aRegistrantOfOneMemberPreemptedThroughTheOtherIsToldSo() throws Exception {
        Registrant ra = iscsi("iqn.2026-12.test:ra", 1);
        Registrant rb = iscsi("iqn.2026-12.test:rb", 2);
        List<Map.Entry<Registrant, ReservationEvent>> toldAtB = new CopyOnWriteArrayList<>();
        ReservationListener listener = (who, event) -> toldAtB.add(Map.entry(who, event));
        try (Member a = Member.join("events"); Member b = Member.join("events")) {
            b.unit.addListener(listener);
            register(b.unit, rb, 0xBB);
            reserve(b.unit, rb, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
            register(a.unit, ra, 0xAA);
            Await.until("a read b's reservation", () -> a.unit.state().reservation() != null);
            a.unit.update(() -> {
                ReservationEdit e = new ReservationEdit(a.unit.state());
                assertEquals(ReservationEdit.Preempted.DONE,
                        e.preempt(ra, 0xBB, ReservationType.WRITE_EXCLUSIVE));
                commit(a.unit, e, true);
                return null;
            });
            Await.until("b read the preemption", () -> ra.equals(b.unit.state().reservation().holder()));
            assertEquals(List.of(Map.entry(rb, ReservationEvent.REGISTRATION_PREEMPTED)), toldAtB);
            assertNull(b.unit.state().registrations().get(rb));
        }
    }
}
