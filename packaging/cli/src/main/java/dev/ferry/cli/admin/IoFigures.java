package dev.ferry.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.control.ControlJson;
import dev.ferry.core.unit.LatencyHistogram;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * One direction (read or write) of one backstore between two status samples: what an admin reads off {@code ferry
 * status}. Latencies are NaN when no request completed in between.
 *
 * @param iops           requests completed per second
 * @param bytesPerSecond bytes moved per second
 * @param avgMicros      mean latency (submit to completion) in microseconds
 * @param p99Micros      99th percentile latency in microseconds, from the histogram buckets (at most 10% high)
 */
record IoFigures(double iops, double bytesPerSecond, double avgMicros, double p99Micros) {

    /**
     * Between an earlier sample of the same direction ({@code null}: the zero the counting started from) and now,
     * {@code seconds} apart.
     */
    static IoFigures between(JsonNode now, JsonNode earlier, double seconds) {
        long ops = now.path("ops").asLong() - (earlier == null ? 0 : earlier.path("ops").asLong());
        long bytes = now.path("bytes").asLong() - (earlier == null ? 0 : earlier.path("bytes").asLong());
        long nanos = now.path("nanos").asLong() - (earlier == null ? 0 : earlier.path("nanos").asLong());
        LatencyHistogram.Snapshot latency = histogram(now);
        if (earlier != null) {
            latency = latency.minus(histogram(earlier));
        }
        return new IoFigures(seconds > 0 ? ops / seconds : 0, seconds > 0 ? bytes / seconds : 0,
                ops == 0 ? Double.NaN : nanos / 1e3 / ops,
                ops == 0 ? Double.NaN : latency.percentileNanos(0.99) / 1e3);
    }

    private static LatencyHistogram.Snapshot histogram(JsonNode direction) {
        Map<Long, Long> buckets = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = direction.path("latencyBuckets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> b = it.next();
            buckets.put(Long.parseLong(b.getKey()), b.getValue().asLong());
        }
        return LatencyHistogram.Snapshot.ofNonEmpty(buckets);
    }

    /** For {@code -o json}: latencies without requests are null. */
    ObjectNode toJson() {
        ObjectNode n = ControlJson.MAPPER.createObjectNode().put("iops", iops).put("bytesPerSecond", bytesPerSecond);
        if (Double.isNaN(avgMicros)) {
            n.putNull("latencyAvgMicros").putNull("latencyP99Micros");
        } else {
            n.put("latencyAvgMicros", avgMicros).put("latencyP99Micros", p99Micros);
        }
        return n;
    }
}
