package dev.ferry.backend.rbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** A cluster started with {@code --no-cephx}: the backend connects without any keyring. */
class RbdNoCephxTest {

    @Test
    void servesAnImageOfAClusterWithoutCephx() throws Exception {
        try (CephCluster ceph = CephCluster.start(false)) {
            assertNull(ceph.keyring);
            BackstoreConfig c = new BackstoreConfig("open", "rbd", "4M", ceph.path("open"), null, null, null, null,
                    null, null, null);
            try (UnitDriver u = new UnitDriver(new RbdBackendFactory().open(c))) {
                ByteBuf w = Unpooled.directBuffer(4096).writeBytes(new byte[4096]).setByte(17, 42);
                assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE, 0, 8, w));
                w.release();
                ByteBuf r = Unpooled.directBuffer(4096);
                assertEquals(CompletionStatus.GOOD, u.status(BlockOp.READ, 0, 8, r));
                assertEquals(42, r.getByte(17));
                r.release();
            }
        }
    }
}
