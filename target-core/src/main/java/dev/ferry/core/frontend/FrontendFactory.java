package dev.ferry.core.frontend;

import dev.ferry.core.unit.UnitRegistry;

/** Creates the frontend of one protocol; found with {@link java.util.ServiceLoader}, so the core names none. */
public interface FrontendFactory {

    /** The {@code protocol} value in the configuration this frontend serves. */
    String protocol();

    /**
     * The portal transport it serves: one protocol may have a factory per transport (NVMe over TCP and over
     * RDMA share the subsystems of protocol {@code nvme}).
     */
    default String transport() {
        return dev.ferry.core.config.Portal.TCP;
    }

    Frontend create(UnitRegistry registry);
}
