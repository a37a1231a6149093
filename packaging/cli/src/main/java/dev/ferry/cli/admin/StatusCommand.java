package dev.ferry.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.control.ControlRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
        description = {"Show where the daemon listens, what each target serves, and per backstore I/O: totals and"
                + " average latency since start; with --watch, IOPS and bandwidth over each interval."})
public final class StatusCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "2", paramLabel = "SECONDS",
            description = "refresh every SECONDS (default 2) until interrupted")
    Integer watch;

    @Override
    public Integer call() throws InterruptedException {
        AdminCall call = new AdminCall(spec, admin);
        try {
            JsonNode previous = null;
            while (true) {
                JsonNode now = call.request(ControlRequest.of(ControlRequest.STATUS)).status();
                if (admin.json()) {
                    call.print(now);
                } else {
                    print(call.out(), now, previous);
                }
                if (watch == null) {
                    return ExitCodes.OK;
                }
                previous = now;
                Thread.sleep(watch * 1000L);
            }
        } catch (AdminCall.DaemonFailure f) {
            return f.exitCode;
        } catch (IOException e) {
            return call.unreachable(e);
        }
    }

    private static void print(PrintWriter out, JsonNode now, JsonNode previous) {
        for (JsonNode f : now.path("frontends")) {
            out.println(f.path("protocol").asText() + " listening on " + f.path("listening"));
        }
        for (JsonNode s : now.path("sessions")) {
            out.println("session " + s.path("protocol").asText() + " " + s.path("initiator").asText() + " -> "
                    + s.path("target").asText() + (s.path("address").isTextual() ? " from " + s.path("address").asText() : "")
                    + " (" + s.path("id").asText() + ")");
        }
        for (JsonNode t : now.path("targets")) {
            out.println(t.path("protocol").asText() + " " + t.path("name").asText() + "  portals " + t.path("portals")
                    + "  units " + t.path("units"));
        }
        double seconds = previous == null ? 0
                : (now.path("sampledAtNanos").asLong() - previous.path("sampledAtNanos").asLong()) / 1e9;
        out.printf("%-20s %12s %12s %12s %12s %10s %10s %8s%n", "BACKSTORE", "READS", "WRITES", "READ MiB",
                "WRITE MiB", "R LAT us", "W LAT us", "ERRORS");
        for (Iterator<Map.Entry<String, JsonNode>> it = now.path("backstores").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> b = it.next();
            JsonNode s = b.getValue();
            out.printf("%-20s %12d %12d %12.1f %12.1f %10.1f %10.1f %8d%n", b.getKey(), s.path("reads").asLong(),
                    s.path("writes").asLong(), s.path("readBytes").asLong() / 1048576.0,
                    s.path("writeBytes").asLong() / 1048576.0, micros(s, "readNanos", "reads"),
                    micros(s, "writeNanos", "writes"), s.path("errors").asLong());
            JsonNode p = previous == null ? null : previous.path("backstores").get(b.getKey());
            if (p != null && seconds > 0) {
                out.printf("%-20s %9.0f r/s %9.0f w/s %8.1f MiB/s r %8.1f MiB/s w (last %.0f s)%n", "",
                        rate(s, p, "reads", seconds), rate(s, p, "writes", seconds),
                        rate(s, p, "readBytes", seconds) / 1048576.0, rate(s, p, "writeBytes", seconds) / 1048576.0,
                        seconds);
            }
        }
        out.println();
        out.flush();
    }

    private static double micros(JsonNode s, String nanos, String count) {
        long n = s.path(count).asLong();
        return n == 0 ? 0 : s.path(nanos).asLong() / 1000.0 / n;
    }

    private static double rate(JsonNode now, JsonNode before, String field, double seconds) {
        return (now.path(field).asLong() - before.path(field).asLong()) / seconds;
    }
}
