package dev.ferry.backend.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

/** struct sg_io_hdr in native memory exactly as the 64-bit kernel reads it (scsi/sg.h). */
class SgIoHeaderTest {
    @Test
    void layoutMatchesTheKernel() {
        SgIoHeader h = new SgIoHeader();
        h.interface_id = 'S';
        h.dxfer_direction = SgIoHeader.SG_DXFER_FROM_DEV;
        h.cmd_len = 16;
        h.mx_sb_len = (byte) 252;
        h.dxfer_len = 0x12345;
        h.dxferp = new Pointer(0x1111_0000L);
        h.cmdp = new Pointer(0x2222_0000L);
        h.sbp = new Pointer(0x3333_0000L);
        h.timeout = 30_000;
        h.write();
        Pointer p = h.getPointer();
        assertEquals(88, h.size(), "84 bytes of fields padded to pointer alignment");
        assertEquals('S', p.getInt(0));
        assertEquals(-3, p.getInt(4));
        assertEquals(16, p.getByte(8));
        assertEquals((byte) 252, p.getByte(9));
        assertEquals(0x12345, p.getInt(12));
        assertEquals(0x1111_0000L, p.getLong(16));
        assertEquals(0x2222_0000L, p.getLong(24));
        assertEquals(0x3333_0000L, p.getLong(32));
        assertEquals(30_000, p.getInt(40));

        // What the kernel writes back: status 64, sb_len_wr 67, host_status 68, driver_status 70, resid 72, info 80.
        p.setByte(64, (byte) 0x02);
        p.setByte(67, (byte) 18);
        p.setShort(68, (short) 0x07);
        p.setShort(70, (short) 0x08);
        p.setInt(72, 512);
        p.setInt(80, SgIoHeader.SG_INFO_CHECK);
        h.read();
        assertEquals(0x02, h.status);
        assertEquals(18, h.sb_len_wr);
        assertEquals(0x07, h.host_status);
        assertEquals(0x08, h.driver_status);
        assertEquals(512, h.resid);
        assertEquals(1, h.info);
    }
}
