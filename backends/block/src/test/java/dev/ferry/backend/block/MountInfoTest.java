package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /proc/self/mountinfo lines (proc(5)) to mount points by major:minor. */
class MountInfoTest {
    @Test
    void parsesDeviceNumbersAndUnescapesMountPoints() {
        Map<String, List<String>> m = MountInfo.parse(List.of(
                "29 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
                "41 29 7:3 / /mnt/my\\040disk rw,relatime shared:20 - ext4 /dev/loop3 rw",
                "42 29 7:3 /sub /srv/bind rw,relatime shared:20 - ext4 /dev/loop3 rw",
                "23 29 0:21 / /proc rw,nosuid - proc proc rw"));
        assertEquals(List.of("/"), m.get("254:0"));
        assertEquals(List.of("/mnt/my disk", "/srv/bind"), m.get("7:3"));
        assertEquals(List.of("/proc"), m.get("0:21"));
    }
}
