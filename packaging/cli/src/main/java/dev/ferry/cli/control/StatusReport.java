package dev.ferry.cli.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.TargetCore;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.SessionSource;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LatencyHistogram;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitStatistics;
import java.util.List;
import java.util.Map;

/**
 * What {@code ferry status} shows: where each frontend listens (protocol and transport), the sessions of frontends
 * that list them (initiator name and address), each export's units, and per backstore and direction the counters
 * and latency histogram since the backstore opened. Clients derive rates and percentiles from two samples (the
 * first one may be the zero at {@code countingSinceNanos}), see {@code StatusFigures}.
 */
public final class StatusReport {
    public static final String READ = "read";
    public static final String WRITE = "write";

    private StatusReport() {
    }

    public static JsonNode of(TargetCore core) {
        ObjectNode root = ControlJson.MAPPER.createObjectNode();
        ArrayNode listening = root.putArray("frontends");
        for (Frontend f : core.frontends()) {
            ObjectNode n = listening.addObject().put("protocol", f.protocol()).put("transport", f.transport());
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
            dev.ferry.core.access.AccessLayout layout = e.accessGroups().layout();
            ArrayNode groups = n.putArray("accessGroups"); // only configured ones: the default says nothing new
            for (dev.ferry.core.access.AccessLayout.Group g : layout.explicit() ? layout.groups()
                    : List.<dev.ferry.core.access.AccessLayout.Group>of()) {
                ArrayNode members = groups.addObject().put("id", g.id()).put("state", g.state().label())
                        .putArray("portals");
                g.portals().forEach(p -> members.add(p.toString()));
            }
        }
        ObjectNode backstores = root.putObject("backstores");
        for (Map.Entry<String, LogicalUnit> u : core.registry().units().entrySet()) {
            UnitStatistics s = u.getValue().statistics();
            ObjectNode b = backstores.putObject(u.getKey())
                    .put("capacityBytes", u.getValue().descriptor().capacityBytes())
                    .put("errors", s.errors())
                    .put("countingSinceNanos", s.startedNanos());
            direction(b.putObject(READ), s.reads(), s.readBytes(), s.readNanos(), s.readLatency().snapshot());
            direction(b.putObject(WRITE), s.writes(), s.writeBytes(), s.writeNanos(), s.writeLatency().snapshot());
        }
        root.put("sampledAtNanos", System.nanoTime());
        return root;
    }

    /** Requests, bytes and total latency; the histogram's non-empty buckets by upper bound in nanoseconds. */
    private static void direction(ObjectNode n, long ops, long bytes, long nanos, LatencyHistogram.Snapshot latency) {
        n.put("ops", ops).put("bytes", bytes).put("nanos", nanos);
        ObjectNode buckets = n.putObject("latencyBuckets");
        latency.nonEmpty().forEach((upper, count) -> buckets.put(String.valueOf(upper), count));
    }
}
