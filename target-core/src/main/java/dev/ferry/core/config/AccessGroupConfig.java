package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One access group of a target: some of its portals and the access state the units have through them (SCSI target
 * port group, NVMe ANA state of the ports). Portals a target lists in no group are in group 1, which is
 * active/optimized unless configured otherwise.
 *
 * @param id      the group number: TARGET PORT GROUP for SCSI, 1-{@link #MAX_ID}
 * @param state   {@link dev.ferry.core.access.AccessState} name; absent = optimized
 * @param portals portals of the target, written as in its {@code portals}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessGroupConfig(int id, String state, List<String> portals) {
    /** Group ids 1-128 (nvmet's NVMET_MAX_ANAGRPS); more groups than that serve nothing on one node. */
    public static final int MAX_ID = 128;
    /** The group of every portal listed in no group. */
    public static final int DEFAULT_ID = 1;

    public AccessGroupConfig {
        portals = portals == null ? List.of() : List.copyOf(portals);
    }
}
