package dev.ferry.cli.control;

import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * Where a gateway member's configuration lives besides its file: the group's shared configuration. Admin changes
 * are published there (compare-and-swap on its version: the control revision is that version), and what other
 * members published is applied here.
 */
public interface SharedConfiguration {
    /**
     * A published group configuration.
     *
     * @param config its shared part; null while nothing was published
     */
    record Published(long version, FerryConfig config) {
    }

    /** The group's configuration as it is now. */
    Published latest() throws IOException;

    /** What this member runs for the group configuration {@code group}, keeping its own part from {@code own}. */
    FerryConfig serve(FerryConfig own, FerryConfig group) throws IOException;

    /** Keeps {@code secret} where every member can write it to its own secrets directory as file {@code name}. */
    void storeSecret(String name, byte[] secret) throws IOException;

    /**
     * Publishes the shared part of {@code next} if the group's configuration is still at {@code version}.
     *
     * @return the new version, or empty when another member's change landed first
     */
    OptionalLong publish(long version, FerryConfig next) throws IOException;
}
