package dev.ferry.cli.control;

import dev.ferry.core.TargetCore;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigLoader;
import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control socket does in the daemon. Every change goes the same way: validate, apply live, persist
 * atomically; when any step fails, the running target and the file are left as they were.
 */
public final class ControlService {
    private static final Logger LOG = LoggerFactory.getLogger(ControlService.class);
    private static final String SECRET_NAME = "[A-Za-z0-9][A-Za-z0-9._:-]{0,200}";

    private final TargetCore core;
    private final Path configFile;
    private final Supplier<com.fasterxml.jackson.databind.JsonNode> status;
    private long revision = 1;

    /**
     * @param configFile where accepted changes are persisted; secrets given on stdin are kept in its directory's
     *                   {@code secrets/} subdirectory
     * @param status     builds the status report
     */
    public ControlService(TargetCore core, Path configFile, Supplier<com.fasterxml.jackson.databind.JsonNode> status) {
        this.core = core;
        this.configFile = configFile.toAbsolutePath();
        this.status = status;
    }

    public synchronized ControlResponse handle(ControlRequest r) {
        if (r.op() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("op: is missing"));
        }
        return switch (r.op()) {
            case ControlRequest.GET_CONFIG -> new ControlResponse(true, null, null, revision, core.config(), null, null);
            case ControlRequest.APPLY_CONFIG -> apply(r);
            case ControlRequest.STORE_SECRET -> storeSecret(r);
            case ControlRequest.REREAD_CAPACITY -> rereadCapacity(r);
            case ControlRequest.STATUS -> new ControlResponse(true, null, null, revision, null, null, status.get());
            default -> ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("op: unknown operation '" + r.op() + "'"));
        };
    }

    private ControlResponse apply(ControlRequest r) {
        if (r.config() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("config: is missing"));
        }
        if (r.revision() != null && r.revision() != revision) {
            return ControlResponse.error(ControlResponse.CONFLICT, List.of("the configuration changed meanwhile (revision "
                    + revision + ", change built on " + r.revision() + ")"));
        }
        FerryConfig previous = core.config();
        try {
            core.apply(r.config(), Boolean.TRUE.equals(r.allowShrink()));
        } catch (ConfigException e) {
            return ControlResponse.error(ControlResponse.REFUSED, e.problems());
        } catch (Exception e) {
            LOG.warn("configuration change failed, still serving the previous one: {}", e.toString());
            return ControlResponse.error(ControlResponse.FAILED, List.of(String.valueOf(e.getMessage())));
        }
        try {
            AtomicFiles.replaceKeepingBackup(configFile, ConfigLoader.toJson(r.config()) + "\n",
                    PosixFilePermissions.fromString("rw-r-----"));
        } catch (IOException e) {
            LOG.error("cannot persist the configuration to {}, going back to the previous one", configFile, e);
            try {
                core.revert(previous);
            } catch (Exception back) {
                LOG.error("could not go back to the previous configuration", back);
            }
            return ControlResponse.error(ControlResponse.FAILED, List.of("cannot write " + configFile + ": " + e));
        }
        revision++;
        LOG.info("configuration revision {} applied and saved to {}", revision, configFile);
        return ControlResponse.done(revision);
    }

    /** The configuration does not change: such a backstore has its device's size, whatever that is now. */
    private ControlResponse rereadCapacity(ControlRequest r) {
        if (r.name() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST, List.of("name: the backstore is missing"));
        }
        long bytes;
        try {
            bytes = core.rereadCapacity(r.name());
        } catch (ConfigException e) {
            return ControlResponse.error(ControlResponse.REFUSED, e.problems());
        } catch (BackendException e) {
            return ControlResponse.error(ControlResponse.REFUSED, List.of(e.getMessage()));
        }
        com.fasterxml.jackson.databind.node.ObjectNode capacity = ControlJson.MAPPER.createObjectNode()
                .put("backstore", r.name()).put("capacityBytes", bytes);
        return new ControlResponse(true, null, null, revision, null, null, capacity);
    }

    private ControlResponse storeSecret(ControlRequest r) {
        if (r.name() == null || !r.name().matches(SECRET_NAME) || r.secret() == null) {
            return ControlResponse.error(ControlResponse.BAD_REQUEST,
                    List.of("name: must match " + SECRET_NAME + ", and secret must be given"));
        }
        Path dir = configFile.resolveSibling("secrets");
        Path file = dir.resolve(r.name());
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            AtomicFiles.replace(file, r.secret().getBytes(StandardCharsets.UTF_8), PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            return ControlResponse.error(ControlResponse.FAILED, List.of("cannot write secret file " + file + ": " + e));
        }
        return new ControlResponse(true, null, null, revision, null, file.toString(), null);
    }
}
