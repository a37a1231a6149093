package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.rbd.CephCluster;
import dev.ferry.backend.rbd.Errno;
import dev.ferry.gateway.GroupState.Member;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Image ownership across members on a real single-node Ceph: claims, maintenance moves, fenced takeovers. */
class OwnershipTest {
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

    private static GatewayMember join(RadosClient c, String name) throws GatewayException {
        return GatewayMember.join(c, name, List.of("127.0.0.1:" + (3260 + name.length())), MemberLeaseTest.TIMING, 0,
                () -> { });
    }

    private static boolean inForce(RadosClient c, String member) {
        try {
            return MemberLease.inForce(c, member);
        } catch (GatewayException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneOwnerAtATimeAMaintenanceMoveFencesNobodyAndLeavingLeavesNoTrace() throws Exception {
        try (RadosClient ca = GroupDocumentTest.connect(ceph, "move");
                RadosClient cb = GroupDocumentTest.connect(ceph, "move")) {
            GatewayMember a = join(ca, "a");
            GatewayMember b = join(cb, "b");
            a.ownership.claim("img");
            assertTrue(a.ownership.mayWrite("img"));
            assertThrows(GatewayException.class, () -> b.ownership.claim("img"));
            assertThrows(GatewayException.class, () -> b.ownership.takeOver("img"), "a's lease is in force");
            assertThrows(GatewayException.class, () -> b.ownership.move("img", "b"), "only the owner moves");

            a.ownership.move("img", "b");
            Await.until("a and b agree b owns img", () -> "b".equals(a.ownership.owner("img"))
                    && "b".equals(b.ownership.owner("img")));
            assertTrue(b.ownership.mayWrite("img"));
            assertFalse(a.ownership.mayWrite("img"));
            assertEquals(2, b.document.current().state().owners().get("img").epoch());
            assertEquals("a", b.document.current().state().owners().get("img").preferred(), "a claimed it first");
            assertTrue(b.document.current().state().members().values().stream().noneMatch(Member::fenced));
            assertEquals(0, FencingTest.write(ca, "data.img", "a is not fenced"));
            a.ownership.release("img");
            assertEquals("b", b.document.refresh().state().owners().get("img").member(), "only the owner releases");
            b.ownership.release("img");
            assertNull(a.document.refresh().state().owners().get("img"));
            b.ownership.claim("img");

            b.close();
            GroupState left = a.document.refresh().state();
            assertEquals(List.of("a"), List.copyOf(left.members().keySet()));
            assertNull(left.owners().get("img"), "b's image was released when it left");
            assertFalse(inForce(ca, "b"));
            a.close();
            try (GroupDocument d = GroupDocument.open(ca, 0)) {
                assertEquals(GroupState.EMPTY, d.current().state());
            }
        }
    }

    @Test
    void aHungOwnerIsFencedBeforeItsImageMovesAndCannotWriteWhenItWakesUp() throws Exception {
        try (ChildMember child = ChildMember.start(ceph.path("takeover"), "a", "img");
                RadosClient cb = GroupDocumentTest.connect(ceph, "takeover")) {
            GatewayMember b = join(cb, "b");
            String zombieAddress = b.document.refresh().state().members().get("a").address();
            assertEquals("a", b.ownership.owner("img"));
            assertThrows(GatewayException.class, () -> b.ownership.takeOver("img"), "a's lease is in force");

            child.signal("STOP");
            Await.until("a's lease expired", () -> !inForce(cb, "a"));
            assertEquals("a", b.ownership.takeOver("img"));
            GroupState after = b.document.current().state();
            assertEquals("b", after.owners().get("img").member());
            assertEquals(2, after.owners().get("img").epoch());
            assertTrue(after.members().get("a").fenced());
            assertEquals("a", after.owners().get("img").preferred(), "a takeover keeps the preferred owner");
            assertEquals(0, FencingTest.write(cb, MemberProcess.dataObject("img"), "written by b"));

            child.signal("CONT");
            assertZombieRefused(child);
            child.close();

            // a rejoins as a new client instance: not fenced, but b keeps the image.
            try (RadosClient ca = GroupDocumentTest.connect(ceph, "takeover")) {
                GatewayMember a = join(ca, "a");
                Member rejoined = a.document.current().state().members().get("a");
                assertFalse(rejoined.fenced());
                assertNotEquals(zombieAddress, rejoined.address());
                assertEquals("b", a.ownership.owner("img"));
                assertEquals(0, FencingTest.write(ca, MemberProcess.dataObject("img"), "a is back"));
                a.close();
            }
            b.close();
        }
    }

    @Test
    void aRestartedMemberFencesItsHungPreviousInstanceAndKeepsItsImage() throws Exception {
        try (ChildMember child = ChildMember.start(ceph.path("restart"), "a", "img");
                RadosClient ca = GroupDocumentTest.connect(ceph, "restart")) {
            child.signal("STOP");
            Await.until("the previous instance's lease expired", () -> !inForce(ca, "a"));
            GatewayMember a = join(ca, "a");
            assertEquals("a", a.ownership.owner("img"));
            assertTrue(a.ownership.mayWrite("img"));
            assertEquals(0, FencingTest.write(ca, MemberProcess.dataObject("img"), "the new instance"));

            child.signal("CONT");
            assertZombieRefused(child);
            assertTrue(inForce(ca, "a"));
            assertTrue(a.lease.valid(), "the old instance did not disturb the new one's lease");
            a.close();
        }
    }

    /**
     * A SIGKILLed owner's image: a survivor that does not serve it leaves it alone (it could not make it optimized
     * anywhere), and of two survivors that serve it exactly one takes it over.
     */
    @Test
    void survivorsThatServeAKilledOwnersImageTakeItOverByThemselvesExactlyOnce() throws Exception {
        try (ChildMember child = ChildMember.start(ceph.path("auto"), "a", "img");
                RadosClient cb = GroupDocumentTest.connect(ceph, "auto");
                RadosClient cc = GroupDocumentTest.connect(ceph, "auto");
                RadosClient cd = GroupDocumentTest.connect(ceph, "auto")) {
            GatewayMember b = join(cb, "b");
            GatewayMember c = join(cc, "c");
            GatewayMember d = join(cd, "d");
            List<String> tookOver = new CopyOnWriteArrayList<>();
            try (FailoverMonitor md = monitor(d, i -> false, tookOver)) {
                child.process.destroyForcibly().waitFor();
                Await.until("a's lease expired", () -> !inForce(cb, "a"));
                Thread.sleep(1_000); // five of d's polls
                assertEquals(List.of(), tookOver, "d does not serve img");
                try (FailoverMonitor mb = monitor(b, i -> i.equals("img"), tookOver);
                        FailoverMonitor mc = monitor(c, i -> i.equals("img"), tookOver)) {
                    Await.until("a survivor took img over", () -> !tookOver.isEmpty());
                }
            }
            assertEquals(1, tookOver.size(), tookOver::toString);
            String winner = tookOver.get(0).substring(0, 1);
            assertTrue(winner.equals("b") || winner.equals("c"), tookOver::toString);
            GroupState s = b.document.refresh().state();
            assertEquals(winner, s.owners().get("img").member());
            assertEquals(2, s.owners().get("img").epoch());
            assertTrue(s.members().get("a").fenced());
            b.close();
            c.close();
            d.close();
        }
    }

    /** {@code m}'s failover monitor, polling every 200 ms, adding "MEMBER:IMAGE" to {@code tookOver}. */
    private static FailoverMonitor monitor(GatewayMember m, java.util.function.Predicate<String> serves,
            List<String> tookOver) {
        return new FailoverMonitor(m, Duration.ofMillis(200), serves, i -> tookOver.add(m.name + ":" + i));
    }

    /** The woken zombie's writes fail from the fence on, and it saw its lease lapse. */
    private static void assertZombieRefused(ChildMember child) throws InterruptedException {
        List<String> lines = child.lines;
        Await.until("the woken zombie's write was refused and it saw its lease lapse: " + lines,
                () -> lines.contains("WRITE " + -Errno.ESHUTDOWN) && lines.contains("LOST"));
        assertTrue(lines.lastIndexOf("WRITE 0") < lines.indexOf("WRITE " + -Errno.ESHUTDOWN),
                "no write succeeded after the fence: " + lines);
    }
}
