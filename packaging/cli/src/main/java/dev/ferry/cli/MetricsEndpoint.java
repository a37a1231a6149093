package dev.ferry.cli;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.TargetCore;
import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitStatistics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The opt-in Prometheus endpoint ({@code serve --metrics HOST:PORT}): per-backstore counters in text format 0.0.4. */
final class MetricsEndpoint {
    private MetricsEndpoint() {
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
        return sb.toString();
    }

    private static void counter(StringBuilder sb, Map<String, LogicalUnit> units, String name, String help,
                                ToLongFunction<UnitStatistics> value) {
        header(sb, name, help);
        units.forEach((b, u) -> sb.append(name).append("{backstore=\"").append(b).append("\"} ")
                .append(value.applyAsLong(u.statistics())).append('\n'));
    }

    private static void seconds(StringBuilder sb, Map<String, LogicalUnit> units, String name, String help,
                                ToLongFunction<UnitStatistics> nanos) {
        header(sb, name, help);
        units.forEach((b, u) -> sb.append(name).append("{backstore=\"").append(b).append("\"} ")
                .append(nanos.applyAsLong(u.statistics()) / 1e9).append('\n'));
    }

    private static void header(StringBuilder sb, String name, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
    }
}
