package dev.ferry.core.config;

import java.util.List;

/**
 * The whole configuration: what the daemon serves. It is also what is persisted as JSON, so the object model,
 * the admin API and the file are one thing.
 *
 * @param backstores storage resources (each opened by one backend)
 * @param targets    exports: iSCSI targets (and, later, NVMe subsystems), each mapping unit numbers to backstores
 */
public record FerryConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets) {
    public FerryConfig {
        backstores = backstores == null ? List.of() : List.copyOf(backstores);
        targets = targets == null ? List.of() : List.copyOf(targets);
    }
}
