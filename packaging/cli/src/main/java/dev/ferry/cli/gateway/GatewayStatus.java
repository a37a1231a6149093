package dev.ferry.cli.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.control.ControlService;
import dev.ferry.core.access.AccessState;
import dev.ferry.gateway.GroupState;
import dev.ferry.gateway.GroupState.Owner;
import java.util.Set;

/**
 * The {@code gateway} part of a member's {@code ferry status}: its group, lease, and per group image of its targets
 * the owner, epoch, preferred owner and this member's path state (what its ports report for that image), and the
 * group configuration revision it serves.
 */
final class GatewayStatus {
    private GatewayStatus() {
    }

    static void put(ObjectNode report, String group, String me, int accessGroup, boolean leaseValid,
            GroupState state, Set<String> images, ControlService.Revision config) {
        ObjectNode g = report.putObject("gateway").put("group", group).put("member", me)
                .put("accessGroup", accessGroup).put("lease", leaseValid ? "valid" : "lost");
        if (config != null) {
            g.put("configRevision", config.value());
            if (config.behind() != null) {
                g.put("configBehind", config.behind());
            }
        }
        ArrayNode list = g.putArray("images");
        for (String image : images) {
            Owner o = state.owners().get(image);
            ObjectNode n = list.addObject().put("image", image);
            if (o != null) {
                n.put("owner", o.member()).put("epoch", o.epoch()).put("preferred", o.preferred());
            }
            // as GatewayLayout derives it for a target of this one image
            n.put("state", (leaseValid ? GatewayLayout.stateOf(me, Set.of(image), state.owners())
                    : AccessState.STANDBY).label());
        }
    }
}
