package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The whole configuration: what the daemon serves. It is also what is persisted as JSON, so the object model,
 * the admin API and the file are one thing.
 *
 * @param backstores storage resources (each opened by one backend)
 * @param targets        exports: iSCSI targets and NVMe subsystems, each mapping unit numbers to backstores
 * @param stateDirectory where state that must survive a restart is kept (persistent reservations with APTPL, one
 *                       file per backstore under {@code reservations/}); absent = no such state is kept, and
 *                       features that need it are refused
 * @param gateway        the gateway group this daemon is a member of, or null ({@link GatewayConfig})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FerryConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets, String stateDirectory,
        GatewayConfig gateway) {
    public FerryConfig {
        backstores = backstores == null ? List.of() : List.copyOf(backstores);
        targets = targets == null ? List.of() : List.copyOf(targets);
    }

    public FerryConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets) {
        this(backstores, targets, null, null);
    }

    public FerryConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets, String stateDirectory) {
        this(backstores, targets, stateDirectory, null);
    }

    /** This configuration with other backstores (the rest kept). */
    public FerryConfig withBackstores(List<BackstoreConfig> next) {
        return new FerryConfig(next, targets, stateDirectory, gateway);
    }

    /** This configuration with other targets (the rest kept). */
    public FerryConfig withTargets(List<TargetConfig> next) {
        return new FerryConfig(backstores, next, stateDirectory, gateway);
    }
}
