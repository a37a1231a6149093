package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.FrontendFactory;
import dev.ferry.core.unit.UnitRegistry;

/** Serves configuration targets with {@code "protocol": "nvme"} over NVMe/TCP. */
public final class NvmeTcpFrontendFactory implements FrontendFactory {
    @Override
    public String protocol() {
        return TargetConfig.NVME;
    }

    @Override
    public Frontend create(UnitRegistry registry) {
        return new NvmeTcpFrontend(registry);
    }
}
