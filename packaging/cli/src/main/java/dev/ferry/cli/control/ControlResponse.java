package dev.ferry.cli.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.config.FerryConfig;
import java.util.List;

/**
 * The answer to one {@link ControlRequest}.
 *
 * @param ok       whether it was done
 * @param error    when not: {@link #REFUSED} (invalid; nothing changed), {@link #CONFLICT} (the configuration
 *                 changed meanwhile; build the change again), {@link #FAILED} (could not be applied; nothing
 *                 changed) or {@link #BAD_REQUEST}
 * @param problems what was wrong, each naming its field
 * @param revision the running configuration's revision
 * @param config   get-config: the running configuration
 * @param path     store-secret: where the secret was stored
 * @param status   status: the report; reread-capacity: the backstore and its {@code capacityBytes}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlResponse(boolean ok, String error, List<String> problems, Long revision, FerryConfig config,
                              String path, JsonNode status) {
    public static final String REFUSED = "refused";
    public static final String CONFLICT = "conflict";
    public static final String FAILED = "failed";
    public static final String BAD_REQUEST = "bad-request";

    public static ControlResponse error(String error, List<String> problems) {
        return new ControlResponse(false, error, problems, null, null, null, null);
    }

    public static ControlResponse done(long revision) {
        return new ControlResponse(true, null, null, revision, null, null, null);
    }
}
