package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.iscsi.login.TextKeys;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.TextPdu;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Explicit ALUA over real iSCSI logins: a portal's TPGT is its access group's id (login TargetPortalGroupTag, the
 * target port group of the session), media access through a standby group is refused with NOT READY, and a live
 * state change reaches a logged-in session as ASYMMETRIC ACCESS STATE CHANGED, the session staying up.
 */
class IscsiAluaTest {
    static final String IQN = "iqn.2026-11.dev.ferry:alua";

    @Test
    void portalGroupsStatesAndALiveChange() throws Exception {
        String p1 = "127.0.0.1:" + freePort();
        String p2 = "127.0.0.1:" + freePort();
        try (TargetCore core = TargetCore.start(config(p1, p2, "standby"));
             IscsiTestClient one = new IscsiTestClient(address(p1));
             IscsiTestClient two = new IscsiTestClient(address(p2))) {
            assertEquals("1", one.login("iqn.2026-11.dev.ferry:one", IQN, IscsiTestClient.defaults())
                    .get("TargetPortalGroupTag"));
            assertEquals("2", two.login("iqn.2026-11.dev.ferry:two", IQN, IscsiTestClient.defaults())
                    .get("TargetPortalGroupTag"));
            assertEquals(ScsiResponse.GOOD, one.command(0, IscsiTestClient.read10(0, 1), 512, true, null).status());
            assertSense(two.command(0, IscsiTestClient.read10(0, 1), 512, true, null), 0x2, 0x04, 0x0B);
            IscsiTestClient.Result rtpg = two.command(0, new byte[] {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
                    256, true, null);
            assertEquals(ScsiResponse.GOOD, rtpg.status(), "REPORT TARGET PORT GROUPS is served in standby");
            assertEquals(0x02, rtpg.data()[16], "group 2 standby");

            core.apply(config(p1, p2, "non-optimized"));

            assertSense(two.command(0, IscsiTestClient.read10(0, 1), 512, true, null), 0x6, 0x2A, 0x06);
            assertEquals(ScsiResponse.GOOD, two.command(0, IscsiTestClient.read10(0, 1), 512, true, null).status());
            assertSense(one.command(0, IscsiTestClient.read10(0, 1), 512, true, null), 0x6, 0x2A, 0x06);
            assertEquals(ScsiResponse.GOOD, one.command(0, IscsiTestClient.read10(0, 1), 512, true, null).status());
        }
    }

    @Test
    void sendTargetsGivesEachPortalItsGroupsTag() throws Exception {
        String p1 = "127.0.0.1:" + freePort();
        String p2 = "127.0.0.1:" + freePort();
        try (TargetCore core = TargetCore.start(config(p1, p2, "optimized"));
             IscsiTestClient c = new IscsiTestClient(address(p1))) {
            c.login("iqn.2026-11.dev.ferry:one", null, IscsiTestClient.defaults());
            IscsiPdu req = TextPdu.request(true, false, c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn);
            req.data(Unpooled.copiedBuffer("SendTargets=All\0", StandardCharsets.UTF_8));
            c.write(req);
            IscsiPdu r = c.read();
            byte[] b = new byte[r.data().readableBytes()];
            r.data().getBytes(0, b);
            r.release();
            assertEquals(List.of(Map.entry("TargetName", IQN), Map.entry("TargetAddress", p1 + ",1"),
                    Map.entry("TargetAddress", p2 + ",2")), TextKeys.parse(b));
        }
    }

    private static void assertSense(IscsiTestClient.Result r, int key, int asc, int ascq) {
        assertEquals(ScsiResponse.CHECK_CONDITION, r.status());
        assertEquals(key, r.sense()[2] & 0x0F, "sense key");
        assertEquals(asc, r.sense()[12] & 0xFF, "ASC");
        assertEquals(ascq, r.sense()[13] & 0xFF, "ASCQ");
    }

    private static FerryConfig config(String p1, String p2, String state2) {
        TargetConfig t = new TargetConfig(IQN, "iscsi", List.of(p1, p2), List.of(new LunConfig(0, "ram0")), List.of(),
                true, null).withAccessGroups(List.of(new AccessGroupConfig(2, state2, List.of(p2))));
        return new FerryConfig(List.of(new BackstoreConfig("ram0", "ram", "1M", null, null, null, null, null, 1, null)),
                List.of(t));
    }

    private static InetSocketAddress address(String portal) {
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(portal.substring(portal.lastIndexOf(':') + 1)));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
