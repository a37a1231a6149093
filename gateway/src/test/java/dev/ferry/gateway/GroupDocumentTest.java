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

    private static dev.ferry.core.config.FerryConfig configWithAcl(String initiator) throws Exception {
        return dev.ferry.core.config.ConfigLoader.parse("""
                {"backstores": [{"name": "vm", "type": "rbd", "path": "rbd/vm1"}],
                 "targets": [{"name": "iqn.2026-12.dev.ferry:gc", "luns": [{"id": 0, "backstore": "vm"}],
                              "acls": [{"initiator": "%s"}]}]}
                """.formatted(initiator));
    }

    /**
     * The group's shared configuration: two changes built on one version cannot both land (the second is refused
     * and must be rebuilt), the other member's watch hears of the one that did, and a member that opens it later
     * reads the newest.
     */
    @Test
    void theSharedConfigurationTakesOneOfTwoChangesBuiltOnOneVersionAndTellsTheOtherMember() throws Exception {
        try (RadosClient ca = connect(ceph, "gconf"); RadosClient cb = connect(ceph, "gconf")) {
            GroupConfig a = GroupConfig.open(ca, 0);
            GroupConfig b = GroupConfig.open(cb, 0);
            java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
            b.onChange(heard::incrementAndGet);
            GroupConfig.Snapshot empty = a.read();
            assertEquals(null, empty.config(), "nothing published in a new group");
            assertTrue(empty.version() > 0, "the object exists: it is watched");

            GroupConfig.Snapshot first = a.publish(empty.version(), configWithAcl("iqn.1993-08.org.debian:01:a"));
            assertTrue(first != null && first.version() > empty.version());
            assertEquals(null, b.publish(empty.version(), configWithAcl("iqn.1993-08.org.debian:01:b")),
                    "a change built on the version before a's must not replace it");
            Await.until("b's watch heard of a's change", () -> heard.get() > 0);
            GroupConfig.Snapshot seenByB = b.read();
            assertEquals(first, seenByB);
            GroupConfig.Snapshot second = b.publish(seenByB.version(), configWithAcl("iqn.1993-08.org.debian:01:b"));
            assertTrue(second != null && second.version() > first.version());
            assertEquals(1, b.conflicts());

            try (RadosClient late = connect(ceph, "gconf")) {
                assertEquals(second, GroupConfig.open(late, 0).read(), "a member that was down catches up");
            }
        }
    }

    @Test
    void aSharedConfigurationThatIsNotAConfigurationIsRefusedByName() throws Exception {
        try (RadosClient c = connect(ceph, "gbad")) {
            GroupConfig config = GroupConfig.open(c, 0);
            try (VersionedObject raw = new VersionedObject(c, GroupConfig.oid("gbad"))) {
                VersionedObject.Versioned v = raw.read();
                assertTrue(raw.compareAndSwap(v.version(), "{\"targets\": 7}".getBytes()) != null);
            }
            GatewayException e = org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class, config::read);
            assertTrue(e.getMessage().startsWith("the gateway group's configuration (ferry.gateway.gbad.config,"
                    + " version "), e.getMessage());
        }
    }
}
