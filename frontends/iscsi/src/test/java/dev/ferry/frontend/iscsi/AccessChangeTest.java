package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Live ACL changes through {@link TargetCore#apply} over real TCP: who loses access is logged out at once. */
class AccessChangeTest {
    static final String TARGET = "iqn.2026-11.dev.ferry:acl";
    static final long LUN1 = 1L << 48;
    static final String OTHER = "iqn.2026-11.dev.ferry:other";
    static final String HOST_A = "iqn.2026-11.dev.ferry:host-a";
    static final String HOST_B = "iqn.2026-11.dev.ferry:host-b";

    /** The target with these ACLs (none at all: the target removed) beside another that keeps the portal. */
    static FerryConfig config(List<AclConfig> acls) {
        List<String> portal = List.of("127.0.0.1:0");
        TargetConfig other = new TargetConfig(OTHER, "iscsi", portal, List.of(), List.of(), true, null);
        return new FerryConfig(
                List.of(new BackstoreConfig("ram0", "ram", "8M", null, null, null, null, null, 1, null),
                        new BackstoreConfig("ram1", "ram", "8M", null, null, null, null, null, 1, null)),
                acls == null ? List.of(other) : List.of(other, new TargetConfig(TARGET, "iscsi", portal,
                        List.of(new LunConfig(0, "ram0"), new LunConfig(1, "ram1")), acls, false, null)));
    }

    static AclConfig acl(String initiator, List<Long> luns) {
        return new AclConfig(initiator, null, null, null, null, luns);
    }

    @Test
    void removingAnInitiatorOrTheTargetEndsItsSessions() throws Exception {
        try (LogCapture log = new LogCapture();
             TargetCore core = TargetCore.start(config(List.of(acl(HOST_A, null), acl(HOST_B, List.of(0L)))))) {
            InetSocketAddress address = TestTargets.address(core);
            try (IscsiTestClient a = new IscsiTestClient(address); IscsiTestClient b = new IscsiTestClient(address)) {
                a.login(HOST_A, TARGET, IscsiTestClient.defaults());
                b.login(HOST_B, TARGET, IscsiTestClient.defaults());
                assertEquals(ScsiResponse.GOOD, testUnitReady(a).status());
                assertEquals(ScsiResponse.GOOD, testUnitReady(b).status());
                assertEquals(ScsiResponse.CHECK_CONDITION, b.command(LUN1, new byte[16], 0, false, null).status(),
                        "LUN 1 is masked from B");

                // A leaves the ACL; B stays, with LUN 1 added to its mask.
                core.apply(config(List.of(acl(HOST_B, List.of(0L, 1L)))));
                assertTrue(a.closedByTarget(), "the removed initiator's connection is closed");
                assertTrue(log.text().contains("ends: initiator removed from the target's ACL"), log.text());
                IscsiTestClient.Result ua = testUnitReady(b);
                assertEquals(ScsiResponse.CHECK_CONDITION, ua.status(), "a mask change is a unit attention");
                assertNotNull(ua.sense());
                assertEquals(0x06, ua.sense()[2] & 0x0f);
                assertEquals(0x3f, ua.sense()[12] & 0xff, "REPORTED LUNS DATA HAS CHANGED");
                assertEquals(0x0e, ua.sense()[13] & 0xff);
                assertEquals(ScsiResponse.GOOD, testUnitReady(b).status());
                IscsiTestClient.Result lun1 = b.command(LUN1, new byte[16], 0, false, null);
                if (lun1.status() == ScsiResponse.CHECK_CONDITION && (lun1.sense()[2] & 0x0f) == 0x06) {
                    lun1 = b.command(LUN1, new byte[16], 0, false, null); // its own unit attention first
                }
                assertEquals(ScsiResponse.GOOD, lun1.status(), "the widened mask is in force");
                try (IscsiTestClient again = new IscsiTestClient(address)) {
                    IscsiTestClient.LoginFailed refused = assertThrows(IscsiTestClient.LoginFailed.class,
                            () -> again.login(HOST_A, TARGET, IscsiTestClient.defaults()));
                    assertEquals(LoginPdu.AUTHORIZATION_FAILURE, refused.status);
                }

                // The target goes: B's session ends too.
                core.apply(config(null));
                assertTrue(b.closedByTarget(), "the removed target's sessions end");
                assertTrue(log.text().contains("ends: target removed"), log.text());
            }
        }
    }

    private static IscsiTestClient.Result testUnitReady(IscsiTestClient c) throws Exception {
        return c.command(0, new byte[16], 0, false, null);
    }
}
