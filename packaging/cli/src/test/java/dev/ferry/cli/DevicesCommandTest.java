package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code ferry devices} lists what /sys/block has, as text and as JSON. */
class DevicesCommandTest {
    @Test
    void listsTheMachinesBlockDevices() throws Exception {
        CliRun json = CliRun.of("devices", "-o", "json");
        assertEquals(0, json.exitCode(), json.err());
        JsonNode list = new ObjectMapper().readTree(json.out());
        assertTrue(list.isArray(), json.out());
        try (var names = Files.list(Path.of("/sys/block"))) {
            long sysfs = names.count();
            assertTrue(sysfs == 0 || list.size() > 0, "sysfs has " + sysfs + " devices, ferry devices listed none");
        }
        for (JsonNode d : list) {
            assertTrue(d.get("path").asText().startsWith("/dev/"), d.toString());
            boolean empty = d.get("empty").asBoolean();
            assertEquals(!empty, d.get("backends").toString().contains("block"),
                    "every device with media can use the block backend, an empty loop device none: " + d);
        }
        CliRun text = CliRun.of("devices");
        assertEquals(0, text.exitCode(), text.err());
        for (JsonNode d : list) {
            assertTrue(text.out().contains(d.get("path").asText()), text.out());
        }
        assertEquals(2, CliRun.of("devices", "-o", "yaml").exitCode());
    }
}
