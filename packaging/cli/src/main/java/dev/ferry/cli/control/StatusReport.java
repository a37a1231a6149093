package dev.ferry.cli.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.TargetCore;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.SessionSource;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitStatistics;
import java.util.Map;

/**
 * What {@code ferry status} shows: where each frontend listens, the sessions of frontends that list them, each
 * export's units, and each backstore's counters since start (clients derive rates from two samples).
 */
public final class StatusReport {
    private StatusReport() {
    }

    public static JsonNode of(TargetCore core) {
        ObjectNode root = ControlJson.MAPPER.createObjectNode();
        ArrayNode listening = root.putArray("frontends");
        for (Frontend f : core.frontends()) {
            ObjectNode n = listening.addObject().put("protocol", f.protocol());
            ArrayNode a = n.putArray("listening");
            f.boundAddresses().forEach(s -> a.add(s.getAddress().getHostAddress() + ":" + s.getPort()));
        }
        ArrayNode sessions = root.putArray("sessions");
        for (Frontend f : core.frontends()) {
            if (f instanceof SessionSource source) {
                for (SessionSource.Session s : source.liveSessions()) {
                    sessions.addObject().put("protocol", s.protocol()).put("target", s.target())
                            .put("initiator", s.initiator()).put("address", s.address()).put("id", s.id());
                }
            }
        }
        ArrayNode exports = root.putArray("targets");
        for (Export e : core.registry().exports()) {
            ObjectNode n = exports.addObject().put("name", e.name()).put("protocol", e.protocol());
            ArrayNode portals = n.putArray("portals");
            e.portals().forEach(p -> portals.add(p.toString()));
            ObjectNode units = n.putObject("units");
            e.units().forEach((id, u) -> units.put(String.valueOf(id), u.name()));
        }
        ObjectNode backstores = root.putObject("backstores");
        for (Map.Entry<String, LogicalUnit> u : core.registry().units().entrySet()) {
            UnitStatistics s = u.getValue().statistics();
            backstores.putObject(u.getKey())
                    .put("capacityBytes", u.getValue().descriptor().capacityBlocks() * u.getValue().descriptor().logicalBlockSize())
                    .put("reads", s.reads()).put("writes", s.writes())
                    .put("readBytes", s.readBytes()).put("writeBytes", s.writeBytes())
                    .put("readNanos", s.readNanos()).put("writeNanos", s.writeNanos())
                    .put("errors", s.errors());
        }
        root.put("sampledAtNanos", System.nanoTime());
        return root;
    }
}
