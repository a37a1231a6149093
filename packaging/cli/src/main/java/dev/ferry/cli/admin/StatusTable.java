package dev.ferry.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.control.StatusReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** {@code ferry status} for people: listeners, sessions, targets, and a table of each backstore's figures. */
final class StatusTable {
    private static final String ROW = "%-20s %-5s  %9s %9s %9s %9s   %9s %9s %9s %9s  %7s%n";
    private static final double MIB = 1024 * 1024;

    private StatusTable() {
    }

    /** Renders a report {@link StatusCommand#withFigures} completed. */
    static void print(PrintWriter out, JsonNode report) {
        for (JsonNode f : report.path("frontends")) {
            List<String> at = new ArrayList<>();
            f.path("listening").forEach(a -> at.add(a.asText()));
            out.println(f.path("protocol").asText() + "/" + f.path("transport").asText("tcp") + " listening on "
                    + (at.isEmpty() ? "nothing" : String.join(", ", at)));
        }
        if (report.path("sessions").isEmpty()) {
            out.println("no sessions");
        }
        for (JsonNode s : report.path("sessions")) {
            out.println("session " + s.path("protocol").asText() + " " + s.path("initiator").asText() + " from "
                    + s.path("address").asText("(unknown address)") + " -> " + s.path("target").asText()
                    + " (" + s.path("id").asText() + ")");
        }
        for (JsonNode t : report.path("targets")) {
            out.println(t.path("protocol").asText() + " " + t.path("name").asText() + "  portals " + t.path("portals")
                    + "  units " + t.path("units"));
            for (JsonNode g : t.path("accessGroups")) {
                out.println("  access group " + g.path("id").asInt() + " " + g.path("state").asText() + "  portals "
                        + g.path("portals"));
            }
        }
        JsonNode gw = report.path("gateway");
        if (!gw.isMissingNode()) {
            out.println("gateway group " + gw.path("group").asText() + " member " + gw.path("member").asText()
                    + " (access group " + gw.path("accessGroup").asInt() + "), lease " + gw.path("lease").asText()
                    + ", group configuration revision " + gw.path("configRevision").asLong());
            if (gw.has("configBehind")) {
                out.println("  NOT IN FORCE: " + gw.path("configBehind").asText());
            }
            for (JsonNode i : gw.path("images")) {
                out.println("  image " + i.path("image").asText() + "  owner " + i.path("owner").asText("none")
                        + " epoch " + i.path("epoch").asLong() + "  this member " + i.path("state").asText());
            }
        }
        double interval = report.path("intervalSeconds").asDouble();
        out.printf("%-26s  %-39s   %-39s%n", "", "------------ since start ------------",
                interval > 0 ? String.format("------------ last %.1f s ------------", interval) : "");
        out.printf(ROW, "BACKSTORE", "DIR", "IOPS", "MiB/s", "AVG us", "P99 us", "IOPS", "MiB/s", "AVG us", "P99 us",
                "ERRORS");
        for (Iterator<Map.Entry<String, JsonNode>> it = report.path("backstores").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> b = it.next();
            JsonNode s = b.getValue();
            for (String direction : new String[] {StatusReport.READ, StatusReport.WRITE}) {
                boolean first = direction.equals(StatusReport.READ);
                JsonNode since = s.path("sinceStart").path(direction);
                JsonNode last = s.path("lastInterval").path(direction);
                out.printf(ROW, first ? b.getKey() : "", direction,
                        number(since.path("iops")), mib(since), number(since.path("latencyAvgMicros")),
                        number(since.path("latencyP99Micros")),
                        number(last.path("iops")), mib(last), number(last.path("latencyAvgMicros")),
                        number(last.path("latencyP99Micros")),
                        first ? String.valueOf(s.path("errors").asLong()) : "");
            }
        }
        out.println();
        out.flush();
    }

    private static String mib(JsonNode figures) {
        JsonNode bytes = figures.path("bytesPerSecond");
        return bytes.isNumber() ? String.format("%.1f", bytes.asDouble() / MIB) : "-";
    }

    /** "-" for what is not known: no interval yet, or no request to time. */
    private static String number(JsonNode n) {
        return n.isNumber() ? String.format("%.1f", n.asDouble()) : "-";
    }
}
