package dev.ferry.backend.ata;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.backend.DeviceCatalog;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The three Linux backends and the device inventory are found through ServiceLoader, as TargetCore finds them. */
class RegistrationTest {
    @Test
    void factoriesAndCatalogAreRegistered() {
        assertTrue(TargetCore.backendFactories().keySet().containsAll(java.util.List.of("block", "scsi", "ata")),
                TargetCore.backendFactories().keySet().toString());
        assertTrue(ServiceLoader.load(DeviceCatalog.class).stream()
                .anyMatch(p -> p.type().getSimpleName().equals("DeviceInventory")));
    }
}
