package dev.ferry.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.NvmeTraffic;
import dev.ferry.cli.control.ControlJson;
import dev.ferry.cli.control.StatusReport;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

    /** A report as the daemon sends it, with one backstore whose read side is given; writes stay at zero. */
    private static JsonNode report(long sampledAt, long ops, long bytes, long nanos, String buckets) throws Exception {
        return ControlJson.MAPPER.readTree("""
                {"frontends": [], "sessions": [], "targets": [], "sampledAtNanos": %d,
                 "backstores": {"disk0": {"capacityBytes": 1048576, "errors": 0, "countingSinceNanos": 0,
                   "read": {"ops": %d, "bytes": %d, "nanos": %d, "latencyBuckets": %s},
                   "write": {"ops": 0, "bytes": 0, "nanos": 0, "latencyBuckets": {}}}}}
                """.formatted(sampledAt, ops, bytes, nanos, buckets));
    }

    @Test
    void figuresSinceStartAndOverTheIntervalFromKnownSamples() throws Exception {
        // 10 s in: 1000 reads of 4 KiB at 50 us. 2 s later: 100 more at 20 us.
        JsonNode first = report(10_000_000_000L, 1000, 4096_000, 1000 * 50_000L, "{\"51000\": 1000}");
        JsonNode second = report(12_000_000_000L, 1100, 4096_000 + 409_600, 1000 * 50_000L + 100 * 20_000L,
                "{\"21000\": 100, \"51000\": 1000}");
        ObjectNode r = StatusCommand.withFigures(second, first);
        assertEquals(2.0, r.path("intervalSeconds").asDouble(), 1e-9);
        JsonNode since = r.path("backstores").path("disk0").path("sinceStart").path("read");
        assertEquals(1100 / 12.0, since.path("iops").asDouble(), 1e-9);
        assertEquals(4505_600 / 12.0, since.path("bytesPerSecond").asDouble(), 1e-6);
        assertEquals(52_000_000 / 1100.0 / 1000, since.path("latencyAvgMicros").asDouble(), 1e-9);
        assertEquals(51.0, since.path("latencyP99Micros").asDouble(), 1e-9, "the slow 1000 dominate since start");
        JsonNode last = r.path("backstores").path("disk0").path("lastInterval").path("read");
        assertEquals(50.0, last.path("iops").asDouble(), 1e-9);
        assertEquals(204_800.0, last.path("bytesPerSecond").asDouble(), 1e-9);
        assertEquals(20.0, last.path("latencyAvgMicros").asDouble(), 1e-9);
        assertEquals(21.0, last.path("latencyP99Micros").asDouble(), 1e-9, "p99 of the difference: only the fast ones");
        JsonNode idle = r.path("backstores").path("disk0").path("lastInterval").path("write");
        assertEquals(0.0, idle.path("iops").asDouble());
        assertTrue(idle.path("latencyP99Micros").isNull(), "no write to time");

        String table = render(r);
        assertTrue(table.contains("last 2.0 s"), table);
        assertTrue(table.matches("(?s).*disk0 +read +91\\.7 +0\\.4 +47\\.3 +51\\.0 +50\\.0 +0\\.2 +20\\.0 +21\\.0 +0\\n.*"),
                table);
        assertTrue(table.matches("(?s).*\\n +write +0\\.0 +0\\.0 +- +- +0\\.0 +0\\.0 +- +- +\\n.*"), table);
    }

    @Test
    void aBackstoreReopenedBetweenSamplesHasNoIntervalFigures() throws Exception {
        JsonNode first = report(10_000_000_000L, 1000, 0, 0, "{}");
        ObjectNode reopened = (ObjectNode) report(12_000_000_000L, 5, 0, 0, "{}");
        ((ObjectNode) reopened.path("backstores").path("disk0")).put("countingSinceNanos", 11_000_000_000L);
        ObjectNode r = StatusCommand.withFigures(reopened, first);
        assertTrue(r.path("backstores").path("disk0").path("lastInterval").isMissingNode());
        assertEquals(5.0, r.path("backstores").path("disk0").path("sinceStart").path("read").path("iops").asDouble(),
                1e-9, "5 reads in the second since it reopened");
    }

    @Test
    void aLiveTargetShowsItsControllerTransportAndFigures() throws Exception {
        try (NvmeTraffic t = new NvmeTraffic()) {
            t.writeAndRead(4);
            JsonNode first = StatusReport.of(t.core);
            t.writeAndRead(10);
            JsonNode second = StatusReport.of(t.core);
            ObjectNode r = StatusCommand.withFigures(second, first);

            String address = "127.0.0.1:" + t.admin.localAddress().getPort();
            JsonNode session = r.path("sessions").get(0);
            assertEquals(1, r.path("sessions").size());
            assertEquals("nvme", session.path("protocol").asText());
            assertEquals(NvmeTcpTestHost.HOST_NQN, session.path("initiator").asText());
            assertEquals(address, session.path("address").asText());
            assertEquals(NvmeTraffic.NQN, session.path("target").asText());
            assertEquals(String.valueOf(t.cntlid), session.path("id").asText());
            assertEquals("tcp", r.path("frontends").get(0).path("transport").asText());

            JsonNode disk = r.path("backstores").path(NvmeTraffic.BACKSTORE);
            assertEquals(14, disk.path("read").path("ops").asLong());
            assertEquals(14 * 4096, disk.path("write").path("bytes").asLong());
            long bucketed = 0;
            for (JsonNode count : disk.path("read").path("latencyBuckets")) {
                bucketed += count.asLong();
            }
            assertEquals(14, bucketed, "every read is in the histogram");
            double seconds = r.path("intervalSeconds").asDouble();
            assertEquals(10 / seconds, disk.path("lastInterval").path("read").path("iops").asDouble(), 1e-6);
            assertTrue(disk.path("lastInterval").path("read").path("latencyP99Micros").asDouble() > 0);

            String table = render(r);
            assertTrue(table.contains("nvme/tcp listening on 127.0.0.1:"), table);
            assertTrue(table.contains("session nvme " + NvmeTcpTestHost.HOST_NQN + " from " + address + " -> "
                    + NvmeTraffic.NQN + " (" + t.cntlid + ")"), table);
            assertFalse(table.contains("no sessions"), table);
        }
    }

    private static String render(JsonNode report) {
        StringWriter out = new StringWriter();
        StatusTable.print(new PrintWriter(out), report);
        return out.toString();
    }
}
