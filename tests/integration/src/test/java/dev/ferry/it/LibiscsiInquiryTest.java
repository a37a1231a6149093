package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.BackendDescriptor;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** libiscsi's command-line tools see the target, its LUNs, their identity and their capacity. */
class LibiscsiInquiryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static FerryTarget ferry;

    @BeforeAll
    static void start() throws Exception {
        ferry = FerryTarget.start(FerryTarget.ram("ram512", "64M"), FerryTarget.ram("ram4k", "32M", 4096));
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void discoveryListsTheTargetPortalAndLuns() {
        ToolRun.run(TIMEOUT, "iscsi-ls", "-s", ferry.portalUrl()).assertOk()
                .assertOutputContains("Target:" + FerryTarget.IQN + " Portal:127.0.0.1:" + ferry.port())
                .assertOutputContains("Lun:0    Type:DIRECT_ACCESS")
                .assertOutputContains("Lun:1    Type:DIRECT_ACCESS");
    }

    @Test
    void standardInquiryNamesFerry() {
        ToolRun.run(TIMEOUT, "iscsi-inq", ferry.lunUrl(0)).assertOk()
                .assertOutputContains("Peripheral Device Type:DIRECT_ACCESS")
                .assertOutputContains("Vendor:FERRY")
                .assertOutputContains("Product:RAM DISK");
    }

    @Test
    void unitSerialNumberPageShowsTheDerivedSerial() {
        String serial = ferry.unit("ram512").descriptor().identity().serial();
        ToolRun.run(TIMEOUT, "iscsi-inq", "-e", "1", "-c", "128", ferry.lunUrl(0)).assertOk()
                .assertOutputContains("Unit Serial Number:[")
                .assertOutputContains(serial);
    }

    @Test
    void deviceIdentificationPageHasAnNaaDesignator() {
        ToolRun.run(TIMEOUT, "iscsi-inq", "-e", "1", "-c", "131", ferry.lunUrl(0)).assertOk()
                .assertOutputContains("Page Code:(0x83) DEVICE_IDENTIFICATION")
                .assertOutputContains("Association:(0) LOGICAL_UNIT")
                .assertOutputContains("Designator Type:(3) NAA");
    }

    @Test
    void blockLimitsPageGivesAMaximumTransferLength() {
        ToolRun r = ToolRun.run(TIMEOUT, "iscsi-inq", "-e", "1", "-c", "176", ferry.lunUrl(0)).assertOk();
        Matcher m = Pattern.compile("maximum transfer length:(\\d+)").matcher(r.output());
        assertTrue(m.find() && Long.parseLong(m.group(1)) > 0, r::describe);
    }

    @Test
    void readCapacity16ShowsSizeAndBlockSizes() {
        BackendDescriptor d = ferry.unit("ram512").descriptor();
        ToolRun.run(TIMEOUT, "iscsi-readcapacity16", ferry.lunUrl(0)).assertOk()
                .assertOutputContains("RETURNED LOGICAL BLOCK ADDRESS:" + (d.capacityBlocks() - 1))
                .assertOutputContains("LOGICAL BLOCK LENGTH IN BYTES:512")
                .assertOutputContains("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:3")
                .assertOutputContains("Total size:" + (64L << 20));
        ToolRun.run(TIMEOUT, "iscsi-readcapacity16", ferry.lunUrl(1)).assertOk()
                .assertOutputContains("RETURNED LOGICAL BLOCK ADDRESS:" + ((32L << 20) / 4096 - 1))
                .assertOutputContains("LOGICAL BLOCK LENGTH IN BYTES:4096")
                .assertOutputContains("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:0")
                .assertOutputContains("Total size:" + (32L << 20));
    }
}
