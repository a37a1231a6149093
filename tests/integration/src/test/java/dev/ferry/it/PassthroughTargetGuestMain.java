package dev.ferry.it;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs inside the initiator VM (see {@link PassthroughIscsiInGuestTest}): Ferry with the guest's emulated SCSI
 * disk behind the {@code scsi} backend as LUN 0 and its emulated ATA disk behind the {@code ata} backend as LUN 1
 * of one iSCSI target on 127.0.0.1:3260, until the scenario creates the stop file.
 *
 * <p>Usage: {@code PassthroughTargetGuestMain SCSI_NODE ATA_NODE STOP_FILE}
 */
public final class PassthroughTargetGuestMain {
    static final String IQN = "iqn.2026-11.dev.ferry:passthrough";

    private PassthroughTargetGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        BackstoreConfig scsi = new BackstoreConfig("scsi0", "scsi", null, args[0], null, null, null, null, null, null);
        BackstoreConfig ata = new BackstoreConfig("ata0", "ata", null, args[1], null, null, null, null, null, null);
        TargetConfig target = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:3260"),
                List.of(new LunConfig(0, "scsi0"), new LunConfig(1, "ata0")), List.of(), true, "passthrough in guest");
        Path stop = Path.of(args[2]);
        try (TargetCore core = TargetCore.start(new FerryConfig(List.of(scsi, ata), List.of(target)))) {
            System.out.println("FERRY-GUEST ready " + core.frontend("iscsi").boundAddresses());
            while (!Files.exists(stop)) {
                Thread.sleep(200);
            }
        }
        System.out.println("FERRY-GUEST stopped");
    }
}
