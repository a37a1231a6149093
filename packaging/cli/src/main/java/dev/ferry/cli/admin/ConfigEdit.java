package dev.ferry.cli.admin;

import dev.ferry.core.config.FerryConfig;

/** One admin change: the new configuration built from the running one. */
@FunctionalInterface
interface ConfigEdit {
    FerryConfig apply(FerryConfig current) throws Refused;
}
