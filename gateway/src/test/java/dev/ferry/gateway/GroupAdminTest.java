package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.rbd.CephCluster;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Administering a group from outside it, on a real single-node Ceph. */
class GroupAdminTest {
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

    private static boolean exists(RadosClient client, String oid) throws GatewayException {
        try (VersionedObject o = new VersionedObject(client, oid)) {
            return o.read().exists();
        }
    }

    @Test
    void createRegisterStatusAndRemove() throws Exception {
        try (RadosClient admin = GroupDocumentTest.connect(ceph, "admin");
                RadosClient daemon = GroupDocumentTest.connect(ceph, "admin")) {
            assertThrows(GatewayException.class, () -> GroupAdmin.register(admin, "a", List.of("h1:3260")),
                    "no such group yet");
            assertTrue(GroupDocument.create(admin));
            assertFalse(GroupDocument.create(admin), "exists");
            assertEquals(List.of(), GroupAdmin.status(admin));

            GroupAdmin.register(admin, "a", List.of("h1:3260"));
            assertThrows(IllegalArgumentException.class, () -> GroupAdmin.register(admin, "a/../b", List.of()));
            assertThrows(IllegalArgumentException.class,
                    () -> GroupAdmin.register(admin, "x".repeat(GroupState.MAX_NAME + 1), List.of()));
            GroupAdmin.register(admin, "b", List.of("h2:3260", "h2:4420"));
            List<GroupAdmin.MemberStatus> s = GroupAdmin.status(admin);
            assertEquals(List.of(new GroupAdmin.MemberStatus("a", List.of("h1:3260"), null, false, false, List.of(), Map.of()),
                    new GroupAdmin.MemberStatus("b", List.of("h2:3260", "h2:4420"), null, false, false, List.of(), Map.of())),
                    s);

            GatewayMember a = GatewayMember.join(daemon, "a", List.of("h1:3260"), MemberLeaseTest.TIMING, 0,
                    () -> { });
            a.ownership.claim("img");
            GroupAdmin.MemberStatus serving = GroupAdmin.status(admin).get(0);
            assertTrue(serving.leaseInForce());
            assertNotNull(serving.address());
            assertEquals(List.of("img"), serving.owns());
            assertThrows(GatewayException.class, () -> GroupAdmin.remove(admin, "a"), "a's lease is in force");

            GroupAdmin.remove(admin, "b");
            assertEquals(List.of("a"), GroupAdmin.status(admin).stream().map(GroupAdmin.MemberStatus::name).toList());

            // c served and then died (its client gone, its record left): removing it leaves no lease object either.
            try (RadosClient died = GroupDocumentTest.connect(ceph, "admin")) {
                GatewayMember.join(died, "c", List.of("h3:3260"), MemberLeaseTest.TIMING, 0, () -> { });
            }
            assertTrue(exists(admin, MemberLease.oid("admin", "c")), "c's lease object");
            GroupAdmin.remove(admin, "c");
            assertFalse(exists(admin, MemberLease.oid("admin", "c")), "c left a lease object behind");
            assertEquals(List.of("a"), GroupAdmin.status(admin).stream().map(GroupAdmin.MemberStatus::name).toList());
            a.close();
            assertNull(GroupDocument.read(admin).state().owners().get("img"));
            assertEquals(List.of(), GroupAdmin.status(admin));
        }
    }
}
