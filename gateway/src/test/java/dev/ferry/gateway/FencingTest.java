package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ferry.backend.rbd.Ceph.Rados;
import dev.ferry.backend.rbd.CephCluster;
import dev.ferry.backend.rbd.Errno;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Blocklisting a member's RADOS client through another's, against a real single-node Ceph. */
class FencingTest {
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

    static int write(RadosClient c, String oid, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return Rados.rados_write(c.ioctx, oid, b, b.length, 0);
    }

    @Test
    void aBlocklistedClientCannotWriteAndRejoinsAsANewInstance() throws Exception {
        try (RadosClient zombie = GroupDocumentTest.connect(ceph, "fence");
                RadosClient survivor = GroupDocumentTest.connect(ceph, "fence")) {
            assertEquals(0, write(zombie, "fence-data", "zombie before"));
            String address = zombie.address();
            assertNotEquals(survivor.address(), address);
            Fencing.blocklist(survivor, address, Fencing.DEFAULT_EXPIRY);
            // The survivor's first write carries the map with the entry: from here on the OSD refuses the zombie.
            assertEquals(0, write(survivor, "fence-data", "survivor"));
            assertEquals(-Errno.ESHUTDOWN, write(zombie, "fence-data", "zombie after"));
            byte[] back = new byte[64];
            int n = Rados.rados_read(survivor.ioctx, "fence-data", back, back.length, 0);
            assertEquals("survivor", new String(back, 0, "survivor".length(), StandardCharsets.UTF_8));
            assertEquals("zombie before".length(), n);

            try (RadosClient rejoined = GroupDocumentTest.connect(ceph, "fence")) {
                assertNotEquals(address, rejoined.address());
                assertEquals(0, write(rejoined, "fence-data", "rejoined"));
            }
        }
    }
}
