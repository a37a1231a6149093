package dev.ferry.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.control.ControlJson;
import dev.ferry.cli.control.ControlRequest;
import dev.ferry.cli.control.StatusReport;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = dev.ferry.cli.FerryVersion.class,
        description = {"Show where the daemon listens (protocol and transport), the sessions and NVMe controllers"
                + " with initiator name and address, what each target serves, and per backstore read and write"
                + " IOPS, MiB/s and latency (average and p99) since start and over the last interval: --interval"
                + " seconds between two samples, or each --watch period."})
public final class StatusCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "2", paramLabel = "SECONDS",
            description = "refresh every SECONDS (default 2) until interrupted")
    Integer watch;

    @Option(names = "--interval", defaultValue = "1", paramLabel = "SECONDS",
            description = "without --watch: seconds between the two samples of the last-interval figures"
                    + " (default 1; 0 shows figures since start only)")
    double interval;

    @Override
    public Integer call() throws InterruptedException {
        AdminCall call = new AdminCall(spec, admin);
        double period = watch != null ? watch : interval;
        try {
            JsonNode previous = null;
            if (period > 0) {
                previous = sample(call);
                sleep(period);
            }
            while (true) {
                JsonNode now = sample(call);
                ObjectNode report = withFigures(now, previous);
                if (admin.json()) {
                    call.print(report);
                } else {
                    StatusTable.print(call.out(), report);
                }
                if (watch == null) {
                    return ExitCodes.OK;
                }
                previous = now;
                sleep(watch);
            }
        } catch (AdminCall.DaemonFailure f) {
            return f.exitCode;
        } catch (IOException e) {
            return call.unreachable(e);
        }
    }

    private static JsonNode sample(AdminCall call) throws IOException, AdminCall.DaemonFailure {
        return call.request(ControlRequest.of(ControlRequest.STATUS)).status();
    }

    private static void sleep(double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
    }

    /**
     * The daemon's report with, per backstore, {@code sinceStart} figures and, given an earlier report,
     * {@code lastInterval} figures (omitted for a backstore reopened in between: its counters restarted).
     */
    static ObjectNode withFigures(JsonNode now, JsonNode previous) {
        ObjectNode out = now.deepCopy();
        long at = now.path("sampledAtNanos").asLong();
        double seconds = previous == null ? 0 : (at - previous.path("sampledAtNanos").asLong()) / 1e9;
        if (seconds > 0) {
            out.put("intervalSeconds", seconds);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = now.path("backstores").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> b = it.next();
            ObjectNode target = (ObjectNode) out.path("backstores").get(b.getKey());
            long since = b.getValue().path("countingSinceNanos").asLong();
            target.set("sinceStart", figures(b.getValue(), null, (at - since) / 1e9));
            JsonNode p = previous == null ? null : previous.path("backstores").get(b.getKey());
            if (p != null && seconds > 0 && p.path("countingSinceNanos").asLong() == since) {
                target.set("lastInterval", figures(b.getValue(), p, seconds));
            }
        }
        return out;
    }

    private static ObjectNode figures(JsonNode now, JsonNode earlier, double seconds) {
        ObjectNode n = ControlJson.MAPPER.createObjectNode();
        for (String direction : new String[] {StatusReport.READ, StatusReport.WRITE}) {
            n.set(direction, IoFigures.between(now.path(direction), earlier == null ? null : earlier.path(direction),
                    seconds).toJson());
        }
        return n;
    }
}
