package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.LatencyHistogram;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    @Test
    void exportBoundsAreOneTwoFiveStepsThatAreHistogramBounds() {
        long[] b = MetricsEndpoint.BUCKET_BOUNDS_NANOS;
        assertEquals(22, b.length);
        assertEquals(1_000, b[0]);
        assertEquals(2_000, b[1]);
        assertEquals(5_000, b[2]);
        assertEquals(10_000_000_000L, b[b.length - 1]);
        for (long bound : b) {
            LatencyHistogram h = new LatencyHistogram();
            h.record(bound - 1);
            h.record(bound);
            assertEquals(1, h.snapshot().countBelow(bound), "a bucket ends exactly at " + bound + " ns");
        }
    }

    @Test
    void histogramsCountEveryRequest() throws Exception {
        try (NvmeTraffic t = new NvmeTraffic()) {
            t.writeAndRead(20);
            String text = MetricsEndpoint.render(t.core);
            assertTrue(text.contains("# TYPE ferry_backstore_read_latency_seconds histogram\n"), text);
            assertTrue(text.contains("# TYPE ferry_backstore_write_latency_p99_seconds gauge\n"), text);
            for (String direction : new String[] {"read", "write"}) {
                String name = "ferry_backstore_" + direction + "_latency_seconds";
                Matcher m = Pattern.compile("\n" + name + "_bucket\\{backstore=\"disk0\",le=\"([^\"]+)\"} (\\d+)")
                        .matcher(text);
                List<String> les = new ArrayList<>();
                long previous = 0;
                while (m.find()) {
                    les.add(m.group(1));
                    long cumulative = Long.parseLong(m.group(2));
                    assertTrue(cumulative >= previous, "cumulative counts never fall: " + m.group());
                    previous = cumulative;
                }
                assertEquals(23, les.size());
                assertEquals(List.of("0.000001", "0.000002", "0.000005", "0.00001"), les.subList(0, 4));
                assertEquals(List.of("10", "+Inf"), les.subList(21, 23));
                assertEquals(20, previous, "+Inf counts all 20 " + direction + "s");
                assertTrue(text.contains("\n" + name + "_count{backstore=\"disk0\"} 20\n"), text);
                Matcher p99 = Pattern.compile("\nferry_backstore_" + direction
                        + "_latency_p99_seconds\\{backstore=\"disk0\"} ([0-9.E-]+)\n").matcher(text);
                assertTrue(p99.find(), text);
                double seconds = Double.parseDouble(p99.group(1));
                assertTrue(seconds > 0 && seconds <= 10, "p99 " + seconds);
            }
        }
    }
}
