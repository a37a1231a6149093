package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.rbd.CephCluster;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Member leases on a real single-node Ceph: held while renewed, ended on leave, lapsing safely when renewals fail. */
class MemberLeaseTest {
    /** Short, so the test is quick; the margin is wide, as the check at the lapse runs on a loaded machine. */
    static final MemberLease.Timing TIMING = new MemberLease.Timing(Duration.ofSeconds(6), Duration.ofSeconds(1),
            Duration.ofSeconds(3));
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

    @Test
    void aLeaseIsHeldWhileRenewedRefusedToAnotherInstanceAndEndsWhenGivenUp() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        try (RadosClient holder = GroupDocumentTest.connect(ceph, "lease");
                RadosClient other = GroupDocumentTest.connect(ceph, "lease")) {
            assertFalse(MemberLease.inForce(other, "m1"));
            MemberLease lease = MemberLease.acquire(holder, "m1", TIMING, lost::incrementAndGet);
            try {
                assertTrue(lease.valid());
                assertTrue(MemberLease.inForce(other, "m1"));
                // Another instance of the same member (a restart) must wait for the lease.
                assertThrows(GatewayException.class, () -> MemberLease.acquire(other, "m1", TIMING, () -> { }));
                // Renewed again and again, well past one duration: still held, never lost.
                Await.until("10 renewals", () -> lease.renewals() >= 10);
                assertTrue(MemberLease.inForce(other, "m1"));
                assertTrue(lease.valid());
            } finally {
                lease.close();
            }
            assertFalse(MemberLease.inForce(other, "m1"), "leaving unlocks at once");
            assertFalse(lease.valid());
            assertEquals(0, lost.get());
            MemberLease.acquire(other, "m1", TIMING, () -> { }).close();
        }
    }

    @Test
    void aMemberThatCannotRenewStopsBeforeOthersCanSeeItsLeaseExpire() throws Exception {
        try (RadosClient holder = GroupDocumentTest.connect(ceph, "lapse");
                RadosClient other = GroupDocumentTest.connect(ceph, "lapse")) {
            CompletableFuture<Boolean> heldWhenStopped = new CompletableFuture<>();
            AtomicInteger lost = new AtomicInteger();
            MemberLease lease = MemberLease.acquire(holder, "m2", TIMING, () -> {
                lost.incrementAndGet();
                try {
                    heldWhenStopped.complete(MemberLease.inForce(other, "m2"));
                } catch (GatewayException e) {
                    heldWhenStopped.completeExceptionally(e);
                }
            });
            try {
                Await.until("a renewal", () -> lease.renewals() >= 2);
                // Cut the holder off: its renewals now fail (-EBLOCKLISTED), the lock stays until its duration ends.
                Fencing.blocklist(other, holder.address(), Duration.ofMinutes(10));
                assertTrue(heldWhenStopped.get(Await.SAFETY_NET_MILLIS, TimeUnit.MILLISECONDS),
                        "the holder stopped only after its lease had expired for the others");
                assertFalse(lease.valid());
                Await.until("the lease expired by itself", () -> {
                    try {
                        return !MemberLease.inForce(other, "m2");
                    } catch (GatewayException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertEquals(1, lost.get());
            } finally {
                lease.close();
            }
        }
    }

    @Test
    void timingsThatLeaveNoRoomToRenewAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemberLease.Timing(Duration.ofSeconds(4),
                Duration.ofSeconds(2), Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class, () -> new MemberLease.Timing(Duration.ofSeconds(4),
                Duration.ZERO, Duration.ofSeconds(1)));
    }
}
