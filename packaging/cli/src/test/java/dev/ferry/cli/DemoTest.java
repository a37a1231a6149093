package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code ferry demo} serves and what it tells the user. */
class DemoTest {
    @Test
    void demoServesOneRamDiskAsLunZeroAndNamespaceOneToAnyInitiator() {
        FerryConfig c = DemoConfig.build("127.0.0.1", 3261, 4421, "512M");
        assertEquals("demo", c.backstores().get(0).name());
        assertEquals("ram", c.backstores().get(0).type());
        assertEquals(512L << 20, c.backstores().get(0).sizeBytes());
        TargetConfig t = c.targets().get(0);
        assertEquals("iqn.2026-11.dev.ferry:demo", t.name());
        assertEquals(List.of("127.0.0.1:3261"), t.portals());
        assertEquals(List.of(new LunConfig(0, "demo")), t.luns());
        assertEquals(true, t.allowAnyInitiator());
        TargetConfig nvme = c.targets().get(1);
        assertEquals("nqn.2026-11.dev.ferry:demo", nvme.name());
        assertEquals(TargetConfig.NVME, nvme.protocol());
        assertEquals(List.of("127.0.0.1:4421"), nvme.portals());
        assertEquals(List.of(new LunConfig(1, "demo")), nvme.luns());
        assertEquals(true, nvme.allowAnyInitiator());
        assertEquals(List.of("[::1]:3260"), DemoConfig.build("::1", 3260, 4420, "1G").targets().get(0).portals());
        assertEquals(1, DemoConfig.build("127.0.0.1", 3260, -1, "1G").targets().size(), "--nvme-port -1: iSCSI only");
    }

    @Test
    void nvmeHintsUseTheBoundPort() {
        StringWriter s = new StringWriter();
        ConnectHints.printNvme(new PrintWriter(s, true), new InetSocketAddress("127.0.0.1", 40124), DemoConfig.NQN);
        assertEquals(true, s.toString().contains("nvme connect -t tcp -a 127.0.0.1 -s 40124 -n nqn.2026-11.dev.ferry:demo"),
                s::toString);
    }

    @Test
    void hintsUseTheBoundAddressAndPort() {
        StringWriter s = new StringWriter();
        ConnectHints.print(new PrintWriter(s, true), new InetSocketAddress("127.0.0.1", 40123), DemoConfig.IQN);
        String out = s.toString();
        String[] expected = {
            "iscsiadm -m discovery -t st -p 127.0.0.1:40123",
            "iscsiadm -m node -T iqn.2026-11.dev.ferry:demo -p 127.0.0.1:40123 --login",
            "iscsi-ls -s iscsi://127.0.0.1:40123",
            "iscsi-inq iscsi://127.0.0.1:40123/iqn.2026-11.dev.ferry:demo/0",
            "qemu-img convert -O raw image.raw iscsi://127.0.0.1:40123/iqn.2026-11.dev.ferry:demo/0"};
        for (String e : expected) {
            assertEquals(true, out.contains(e), () -> "missing '" + e + "' in\n" + out);
        }
    }

    @Test
    void aWildcardListenerIsShownAsLoopback() {
        StringWriter s = new StringWriter();
        ConnectHints.print(new PrintWriter(s, true), new InetSocketAddress("0.0.0.0", 3260), DemoConfig.IQN);
        assertEquals(true, s.toString().contains("iscsi-ls -s iscsi://127.0.0.1:3260"), s::toString);
    }
}
