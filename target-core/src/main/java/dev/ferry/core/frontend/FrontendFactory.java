package dev.ferry.core.frontend;

import dev.ferry.core.unit.UnitRegistry;

/** Creates the frontend of one protocol; found with {@link java.util.ServiceLoader}, so the core names none. */
public interface FrontendFactory {

    /** The {@code protocol} value in the configuration this frontend serves. */
    String protocol();

    Frontend create(UnitRegistry registry);
}
