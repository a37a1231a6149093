package dev.ferry.backend.rbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.BackstoreConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rbd backstore's path syntax: QEMU's rbd filename without its prefix. */
class RbdSpecTest {

    @Test
    void readsPoolNamespaceImageAndOptions() {
        RbdSpec s = RbdSpec.parse("rbd/tenant1/vm1:conf=/etc/ceph/a.conf:id=ferry:keyring=/k:rados_osd_op_timeout=5");
        assertEquals("rbd", s.pool());
        assertEquals("tenant1", s.namespace());
        assertEquals("vm1", s.image());
        assertEquals("/etc/ceph/a.conf", s.conf());
        assertEquals("ferry", s.id());
        assertEquals(Map.of("keyring", "/k", "rados_osd_op_timeout", "5"), s.options());
        assertEquals("rbd/tenant1/vm1", s.imageSpec());
        RbdSpec plain = RbdSpec.parse("rbd/vm1");
        assertNull(plain.namespace());
        assertNull(plain.conf());
        assertEquals(RbdSpec.DEFAULT_ID, plain.id());
        assertTrue(plain.options().isEmpty());
    }

    @Test
    void formatReadsBackToTheSameSpec() {
        String p = RbdSpec.format("rbd", "ns", "img", "/c.conf", "ferry", "/k");
        assertEquals("rbd/ns/img:conf=/c.conf:id=ferry:keyring=/k", p);
        RbdSpec s = RbdSpec.parse(p);
        assertEquals(List.of("rbd", "ns", "img", "/c.conf", "ferry"),
                List.of(s.pool(), s.namespace(), s.image(), s.conf(), s.id()));
        assertEquals("rbd/img", RbdSpec.format("rbd", null, "img", null, null, null));
    }

    @Test
    void refusesWhatIsNotAnImageSpecWithTheReason() {
        for (String bad : List.of("", "vm1", "rbd/", "/vm1", "a/b/c/d", "rbd/vm 1", "rbd/vm1@snap", "rbd/vm1:conf",
                "rbd/vm1:=x", "rbd/vm1:id=", "rbd/vm1:rbd_cache=true", "rbd/vm1:rbd_skip_partial_discard=true")) {
            assertThrows(IllegalArgumentException.class, () -> RbdSpec.parse(bad), bad);
        }
        List<String> problems = new RbdBackendFactory().validate(
                new BackstoreConfig("d", "rbd", null, "vm1", null, null, null, null, null, null, null));
        assertEquals(List.of("path: 'vm1' is not POOL/IMAGE or POOL/NAMESPACE/IMAGE"), problems);
        assertEquals(List.of("path: an rbd backstore needs POOL/IMAGE (e.g. rbd/disk0)"), new RbdBackendFactory()
                .validate(new BackstoreConfig("d", "rbd", null, null, null, null, null, null, null, null, null)));
    }
}
