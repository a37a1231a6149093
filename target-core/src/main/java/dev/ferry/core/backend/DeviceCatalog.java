package dev.ferry.core.backend;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Lists the local devices that backends could open. Implementations (one per platform-specific backend module)
 * are found with {@link ServiceLoader}, so a CLI can list devices without naming a backend class.
 */
public interface DeviceCatalog {

    /** The devices of this machine, in a stable order. */
    List<DeviceInfo> devices() throws IOException;

    /** Every device from every catalog on the class path. */
    static List<DeviceInfo> all() throws IOException {
        List<DeviceInfo> all = new ArrayList<>();
        for (DeviceCatalog c : ServiceLoader.load(DeviceCatalog.class)) {
            all.addAll(c.devices());
        }
        return all;
    }
}
