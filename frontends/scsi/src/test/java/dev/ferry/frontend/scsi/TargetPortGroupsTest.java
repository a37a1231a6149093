package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Implicit ALUA (SPC-4 5.15): TPGS in INQUIRY and REPORT TARGET PORT GROUPS (SPC-4 6.37). */
class TargetPortGroupsTest {
    /** A second target port, in another target port group. */
    static final ScsiPort PORT2 = new ScsiPort("iqn.2026-01.dev.ferry:disk", "iqn.2026-01.dev.ferry:disk,t,0x0002",
            2, 7, ScsiPort.PROTOCOL_ISCSI);
    static final ItNexus A2 = new ItNexus("iqn.1994-05.com.redhat:a,i,0x23d000000009", "iqn.1994-05.com.redhat:a",
            0x23D000000009L, PORT2);

    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static byte[] rtpg(int format, int allocationLength) {
        return cdb(0xA3, (format << 5) | 0x0A, 0, 0, 0, 0, allocationLength >>> 24, allocationLength >>> 16,
                allocationLength >>> 8, allocationLength, 0, 0);
    }

    @Test
    void inquiryReportsImplicitAlua() {
        byte[] d = h.run(0x12, 0, 0, 0, 96, 0).assertGood().data();
        assertEquals(0x10, d[5] & 0x30, "TPGS 01b");
    }

    @Test
    void lengthOnlyAndExtendedFormats() {
        byte[] one = h.run(A, 0, rtpg(0, 1024), 1024, null).assertGood().data();
        assertArrayEquals(new byte[] {0, 0, 0, 12,
                0x00, 0x01, 0, 0, 0, 0x00, 0, 1,        // active/optimized, AO_SUP, group 0, status none, 1 port
                0, 0, 0, 1}, one);                      // relative target port 1
        h.run(A2, 0, cdb(0x00), 0, null).assertGood();  // a nexus on the second port
        byte[] two = h.run(A, 0, rtpg(1, 1024), 1024, null).assertGood().data();
        assertArrayEquals(new byte[] {0, 0, 0, 28,
                0x10, 0, 0, 0,                          // FORMAT TYPE 001b, implicit transition time 0
                0x00, 0x01, 0, 0, 0, 0x00, 0, 1, 0, 0, 0, 1,
                0x00, 0x01, 0, 7, 0, 0x00, 0, 1, 0, 0, 0, 2}, two);
        byte[] cut = h.run(A, 0, rtpg(1, 4), 1024, null).assertGood().data();
        assertArrayEquals(new byte[] {0, 0, 0, 28}, cut);
        h.run(A, 0, rtpg(2, 1024), 1024, null).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void setTargetPortGroupsIsRefusedWithoutConfiguredGroups() {
        h.run(A, 0, cdb(0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0), 8, new byte[] {0, 0, 0, 0, 2, 0, 0, 1})
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x20, 0x00);
    }
}
