package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.rbd.CephCluster;
import dev.ferry.backend.rbd.RbdSpec;
import dev.ferry.gateway.GroupState.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The group's shared document against a real single-node Ceph: versions, compare-and-swap, watch/notify. */
class GroupDocumentTest {
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

    static RadosClient connect(CephCluster ceph, String group) throws GatewayException {
        return RadosClient.connect(RbdSpec.parse(ceph.path(group)));
    }

    private static GroupDocument.Change addMember(String name) {
        return s -> s.with(m -> m.put(name, new Member(List.of("127.0.0.1:3260"), "addr-" + name, 1, false)),
                o -> { });
    }

    @Test
    void concurrentChangesFromTwoMembersAllLandAndBothConvergeThroughTheirWatches() throws Exception {
        int each = 15;
        try (RadosClient ca = connect(ceph, "cas"); RadosClient cb = connect(ceph, "cas");
                GroupDocument a = GroupDocument.open(ca, 0); GroupDocument b = GroupDocument.open(cb, 0)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (String who : List.of("a", "b")) {
                    GroupDocument d = who.equals("a") ? a : b;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            d.update(addMember(who + i));
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
            GroupDocument.Snapshot last = a.refresh();
            assertEquals(2 * each, last.state().members().size(), "a change was lost: " + last.state().members());
            Await.until("both members read the last version", () -> a.current().version() == last.version()
                    && b.current().version() == last.version());
            assertEquals(last.state(), b.current().state());
        }
    }

    @Test
    void aChangeThatLostTheRaceIsReappliedOnTopOfTheWinner() throws Exception {
        try (RadosClient ca = connect(ceph, "race"); RadosClient cb = connect(ceph, "race");
                GroupDocument a = GroupDocument.open(ca, 0); GroupDocument b = GroupDocument.open(cb, 0)) {
            int[] calls = {0};
            GroupDocument.Snapshot last = a.update(s -> {
                if (calls[0]++ == 0) {
                    // b changes the document between a's read and a's write: a's version assertion fails.
                    b.update(addMember("b"));
                }
                return addMember("a").apply(s);
            });
            assertEquals(2, calls[0]);
            assertEquals(1, a.conflicts());
            assertEquals(List.of("a", "b"), List.copyOf(last.state().members().keySet()));
            assertEquals(last, a.refresh());
        }
    }

    @Test
    void aMemberLearnsOfAnotherMembersChangeWithoutReadingItself() throws Exception {
        try (RadosClient ca = connect(ceph, "notify"); RadosClient cb = connect(ceph, "notify");
                GroupDocument a = GroupDocument.open(ca, 0); GroupDocument b = GroupDocument.open(cb, 0)) {
            List<GroupDocument.Snapshot> seen = new CopyOnWriteArrayList<>();
            b.onChange(seen::add);
            GroupDocument.Snapshot written = a.update(addMember("x"));
            Await.until("b's watch delivered the change", () -> !seen.isEmpty());
            assertEquals(written.version(), seen.get(seen.size() - 1).version());
            assertEquals(written.state(), b.current().state());
        }
    }

    @Test
    void aMemberThatWasDownCatchesUpWhenItOpens() throws Exception {
        try (RadosClient ca = connect(ceph, "catchup"); GroupDocument a = GroupDocument.open(ca, 0)) {
            a.update(addMember("m1"));
            GroupDocument.Snapshot written = a.update(addMember("m2"));
            try (RadosClient cb = connect(ceph, "catchup"); GroupDocument b = GroupDocument.open(cb, 0)) {
                assertEquals(written, b.current());
            }
        }
    }

    @Test
    void aLostWatchIsReestablishedAndTheChangeMadeMeanwhileIsRead() throws Exception {
        try (RadosClient ca = connect(ceph, "rewatch"); RadosClient cb = connect(ceph, "rewatch");
                GroupDocument a = GroupDocument.open(ca, 0);
                // The OSD drops a watcher that did not ping for 1 s; librados pings every 5 s: the watch is lost
                // again and again, and each time re-established.
                GroupDocument b = GroupDocument.open(cb, 1)) {
            Await.until("b's watch was lost", () -> b.watchErrors() >= 1);
            for (int i = 0; i < 3; i++) {
                GroupDocument.Snapshot written = a.update(addMember("r" + i));
                Await.until("b read change " + written.version(), () -> b.current().version() == written.version());
                assertEquals(written.state(), b.current().state());
            }
            assertNotEquals(0, b.watchErrors());
            assertTrue(b.current().state().members().containsKey("r2"));
        }
    }
}
