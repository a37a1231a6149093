package dev.ferry.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigEditsTest {
    static final String IQN = "iqn.2026-11.dev.ferry:t";
    static final BackstoreConfig RAM = new BackstoreConfig("r", "ram", "1M", null, null, null, null, null, null, null);
    static final FerryConfig BASE = new FerryConfig(List.of(RAM), List.of(new TargetConfig(IQN, "iscsi",
            List.of("127.0.0.1:3260"), List.of(new LunConfig(0, "r"), new LunConfig(2, "r")), List.of(), true, null)), "/var/lib/ferry");

    @Test
    void aNewLunTakesTheLowestFreeNumberAndNamesAreCaseInsensitive() throws Refused {
        FerryConfig c = ConfigEdits.editTarget(BASE, "iscsi", IQN.toUpperCase(), t -> ConfigEdits.addUnit(t, "r", null));
        assertEquals(List.of(0L, 1L, 2L), c.targets().get(0).luns().stream().map(LunConfig::id).toList());
        assertEquals("/var/lib/ferry", c.stateDirectory(), "the rest of the configuration is kept");
        TargetConfig nvme = ConfigEdits.addUnit(new TargetConfig("nqn.2026-11.dev.ferry:s", "nvme", List.of(), List.of(),
                List.of(), true, null), "r", null);
        assertEquals(1L, nvme.luns().get(0).id(), "namespace IDs start at 1");
    }

    @Test
    void whatCannotBeExpressedIsRefusedWithAReason() {
        assertTrue(assertThrows(Refused.class, () -> ConfigEdits.editTarget(BASE, "iscsi", IQN,
                t -> ConfigEdits.addUnit(t, "r", 2L))).getMessage().contains("has a unit 2 already"));
        assertTrue(assertThrows(Refused.class, () -> ConfigEdits.deleteBackstore(BASE, "r")).getMessage()
                .contains("is unit 0 of " + IQN));
        assertTrue(assertThrows(Refused.class, () -> ConfigEdits.deleteTarget(BASE, "nvme", IQN)).getMessage()
                .contains("no NVMe subsystem named"));
        assertThrows(Refused.class, () -> ConfigEdits.editTarget(BASE, "iscsi", IQN,
                t -> ConfigEdits.removeAcl(t, "iqn.2024-01.org.example:nobody")));
    }

    @Test
    void aclsAndPortalsComeAndGo() throws Refused {
        FerryConfig c = ConfigEdits.editTarget(BASE, "iscsi", IQN, t -> ConfigEdits.addAcl(
                ConfigEdits.addPortal(t, "[::1]:3260"), new AclConfig("iqn.2024-01.org.example:h")));
        assertEquals(List.of("127.0.0.1:3260", "[::1]:3260"), c.targets().get(0).portals());
        c = ConfigEdits.editTarget(c, "iscsi", IQN, t -> ConfigEdits.removeAcl(
                ConfigEdits.removePortal(t, "127.0.0.1:3260"), "IQN.2024-01.org.example:h"));
        assertEquals(List.of("[::1]:3260"), c.targets().get(0).portals());
        assertTrue(c.targets().get(0).acls().isEmpty());
    }

    @Test
    void iscsiSettingsMergeAndResetToNothing() throws Refused {
        FerryConfig c = ConfigEdits.editTarget(BASE, "iscsi", IQN, t -> ConfigEdits.setIscsi(t,
                new IscsiTargetConfig(8, 16, null, 65536, null, null, false, null), false));
        c = ConfigEdits.editTarget(c, "iscsi", IQN, t -> ConfigEdits.setIscsi(t,
                new IscsiTargetConfig(null, 32, null, null, 8192, null, null, null), false));
        assertEquals(new IscsiTargetConfig(8, 32, null, 65536, 8192, null, false, null), c.targets().get(0).iscsi(),
                "options not given keep their value");
        c = ConfigEdits.editTarget(c, "iscsi", IQN, t -> ConfigEdits.addPortal(t, "[::1]:3260"));
        assertEquals(32, c.targets().get(0).iscsi().commandsPerSession(), "other edits keep the settings");
        c = ConfigEdits.editTarget(c, "iscsi", IQN, t -> ConfigEdits.setIscsi(t,
                new IscsiTargetConfig(null, null, null, null, null, 4, null, null), true));
        assertEquals(new IscsiTargetConfig(null, null, null, null, null, 4, null, null), c.targets().get(0).iscsi());
        c = ConfigEdits.editTarget(c, "iscsi", IQN, t -> ConfigEdits.setIscsi(t, IscsiTargetConfig.DEFAULTS, true));
        assertEquals(null, c.targets().get(0).iscsi(), "all defaults: nothing in the configuration");
    }
}
