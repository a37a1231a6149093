package dev.ferry.cli;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.TargetCore;
import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.LatencyHistogram;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitStatistics;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The opt-in Prometheus endpoint ({@code serve --metrics HOST:PORT}): per-backstore counters, latency histograms and
 * p99 gauges in text format 0.0.4.
 */
final class MetricsEndpoint {
    /**
     * The {@code le} bounds of the exported histograms: 1-2-5 steps from 1 us to 10 s, each a bound of {@link
     * LatencyHistogram}'s finer buckets, so the cumulative counts are exact.
     */
    static final long[] BUCKET_BOUNDS_NANOS = bucketBounds();

    private MetricsEndpoint() {
    }

    private static long[] bucketBounds() {
        List<Long> bounds = new ArrayList<>();
        for (long decade = LatencyHistogram.MIN_NANOS; decade < LatencyHistogram.MAX_NANOS; decade *= 10) {
            bounds.addAll(List.of(decade, 2 * decade, 5 * decade));
        }
        bounds.add(LatencyHistogram.MAX_NANOS);
        return bounds.stream().mapToLong(Long::longValue).toArray();
    }

    static AutoCloseable start(String hostPort, TargetCore core) throws IOException {
        Portal at = Portal.parse(hostPort, 9105);
        HttpServer server = HttpServer.create(new InetSocketAddress(at.host(), at.port()), 16);
        server.createContext("/metrics", exchange -> {
            byte[] body = render(core).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return () -> server.stop(0);
    }

    static String render(TargetCore core) {
        Map<String, LogicalUnit> units = core.registry().units();
        StringBuilder sb = new StringBuilder();
        counter(sb, units, "ferry_backstore_reads_total", "Read requests completed", UnitStatistics::reads);
        counter(sb, units, "ferry_backstore_writes_total", "Write requests completed", UnitStatistics::writes);
        counter(sb, units, "ferry_backstore_read_bytes_total", "Bytes read", UnitStatistics::readBytes);
        counter(sb, units, "ferry_backstore_written_bytes_total", "Bytes written", UnitStatistics::writeBytes);
        seconds(sb, units, "ferry_backstore_read_seconds_total", "Time spent in reads (submit to completion)",
                UnitStatistics::readNanos);
        seconds(sb, units, "ferry_backstore_write_seconds_total", "Time spent in writes (submit to completion)",
                UnitStatistics::writeNanos);
        counter(sb, units, "ferry_backstore_errors_total", "Requests that completed with an error", UnitStatistics::errors);
        histogram(sb, units, "ferry_backstore_read_latency_seconds", "Read latency, submit to completion",
                UnitStatistics::readLatency, UnitStatistics::readNanos);
        histogram(sb, units, "ferry_backstore_write_latency_seconds", "Write latency, submit to completion",
                UnitStatistics::writeLatency, UnitStatistics::writeNanos);
        p99(sb, units, "ferry_backstore_read_latency_p99_seconds", "99th percentile read latency since start",
                UnitStatistics::readLatency);
        p99(sb, units, "ferry_backstore_write_latency_p99_seconds", "99th percentile write latency since start",
                UnitStatistics::writeLatency);
        return sb.toString();
    }

    private static void histogram(StringBuilder sb, Map<String, LogicalUnit> units, String name, String help,
                                  Function<UnitStatistics, LatencyHistogram> latency, ToLongFunction<UnitStatistics> nanos) {
        header(sb, name, help, "histogram");
        units.forEach((b, u) -> {
            LatencyHistogram.Snapshot s = latency.apply(u.statistics()).snapshot();
            for (long bound : BUCKET_BOUNDS_NANOS) {
                sb.append(name).append("_bucket{backstore=\"").append(b).append("\",le=\"").append(seconds(bound))
                        .append("\"} ").append(s.countBelow(bound)).append('\n');
            }
            sb.append(name).append("_bucket{backstore=\"").append(b).append("\",le=\"+Inf\"} ").append(s.total())
                    .append('\n');
            sb.append(name).append("_sum{backstore=\"").append(b).append("\"} ")
                    .append(nanos.applyAsLong(u.statistics()) / 1e9).append('\n');
            sb.append(name).append("_count{backstore=\"").append(b).append("\"} ").append(s.total()).append('\n');
        });
    }

    private static void p99(StringBuilder sb, Map<String, LogicalUnit> units, String name, String help,
                            Function<UnitStatistics, LatencyHistogram> latency) {
        header(sb, name, help, "gauge");
        units.forEach((b, u) -> sb.append(name).append("{backstore=\"").append(b).append("\"} ")
                .append(latency.apply(u.statistics()).snapshot().percentileNanos(0.99) / 1e9).append('\n'));
    }

    /** An exact decimal: 0.000001, 0.002, 10. */
    private static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    private static void counter(StringBuilder sb, Map<String, LogicalUnit> units, String name, String help,
                                ToLongFunction<UnitStatistics> value) {
        header(sb, name, help, "counter");
        units.forEach((b, u) -> sb.append(name).append("{backstore=\"").append(b).append("\"} ")
                .append(value.applyAsLong(u.statistics())).append('\n'));
    }

    private static void seconds(StringBuilder sb, Map<String, LogicalUnit> units, String name, String help,
                                ToLongFunction<UnitStatistics> nanos) {
        header(sb, name, help, "counter");
        units.forEach((b, u) -> sb.append(name).append("{backstore=\"").append(b).append("\"} ")
                .append(nanos.applyAsLong(u.statistics()) / 1e9).append('\n'));
    }

    private static void header(StringBuilder sb, String name, String help, String type) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
