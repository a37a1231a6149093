package dev.ferry.backend.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the scsi factory can tell without opening a device. */
class FactoryValidationTest {
    private static BackstoreConfig config(String path, Integer blockSize) {
        return new BackstoreConfig("s", "scsi", null, path, blockSize, null, null, null, null, null);
    }

    @Test
    void pathMustNameAnExistingDeviceNode() {
        ScsiBackendFactory f = new ScsiBackendFactory();
        assertEquals(List.of("path: a scsi backstore needs a device path (/dev/sgN, /dev/sdX or /dev/disk/by-id/...)"),
                f.validate(config(null, null)));
        assertEquals(List.of("path: /dev/disk/by-id/no-such-disk does not exist"),
                f.validate(config("/dev/disk/by-id/no-such-disk", null)));
        assertEquals(List.of("path: /etc/hostname is not a device node"), f.validate(config("/etc/hostname", null)));
        assertEquals(List.of("blockSize: a scsi backstore uses the device's own block size; remove blockSize"),
                f.validate(config("/dev/null", 4096)));
    }

    @Test
    void openRefusesAVanishedDevice() {
        BackendException e = assertThrows(BackendException.class,
                () -> new ScsiBackendFactory().open(config("/dev/disk/by-id/no-such-disk", null)));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void oneCommandInFlightPerWorkerSoWorkersStayWithinTheQueueDepth() {
        BackstoreConfig defaults = config("/dev/sg0", null);
        assertEquals(ScsiBackendFactory.DEFAULT_WORKERS, SgDevices.workers(defaults, ScsiBackendFactory.DEFAULT_WORKERS));
        BackstoreConfig shallow = new BackstoreConfig("s", "scsi", null, "/dev/sg0", null, null, null, null, null, 2, null);
        assertEquals(2, SgDevices.workers(shallow, ScsiBackendFactory.DEFAULT_WORKERS));
        BackstoreConfig deep = new BackstoreConfig("s", "scsi", null, "/dev/sg0", null, null, null, null, 16, 16, null);
        assertEquals(16, SgDevices.workers(deep, ScsiBackendFactory.DEFAULT_WORKERS));
    }
}
