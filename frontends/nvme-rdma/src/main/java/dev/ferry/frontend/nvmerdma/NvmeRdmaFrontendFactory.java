package dev.ferry.frontend.nvmerdma;

import dev.ferry.core.config.Portal;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.FrontendFactory;
import dev.ferry.core.unit.UnitRegistry;

/** Serves the {@code rdma://} portals of configuration targets with {@code "protocol": "nvme"}. */
public final class NvmeRdmaFrontendFactory implements FrontendFactory {
    @Override
    public String protocol() {
        return TargetConfig.NVME;
    }

    @Override
    public String transport() {
        return Portal.RDMA;
    }

    @Override
    public Frontend create(UnitRegistry registry) {
        return new NvmeRdmaFrontend(registry);
    }
}
