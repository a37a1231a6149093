package dev.ferry.frontend.iscsi;

import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.FrontendFactory;
import dev.ferry.core.unit.UnitRegistry;

/** {@code "protocol": "iscsi"}: RFC 7143 over TCP. */
public final class IscsiFrontendFactory implements FrontendFactory {
    @Override
    public String protocol() {
        return IscsiFrontend.PROTOCOL;
    }

    @Override
    public Frontend create(UnitRegistry registry) {
        return new IscsiFrontend(registry);
    }
}
