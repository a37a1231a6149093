package dev.ferry.backend.scsi;

import dev.ferry.core.backend.BackendException;

/** Asks a SCSI disk to describe itself: INQUIRY (standard and VPD), READ CAPACITY(16), MODE SENSE. */
public final class ScsiDescriber {
    private static final int TIMEOUT_MS = 10_000;
    private static final int VPD_ALLOCATION = 252;
    /** SPC-4 7.8.12 Supported VPD Pages page. */
    private static final int VPD_SUPPORTED_PAGES = 0x00;

    private ScsiDescriber() {
    }

    public static ScsiDescription describe(int fd, SgChannel c, String device) throws BackendException {
        byte[] std = dataIn(fd, c, Inquiry.cdb(c.cdb, false, 0, 96), Inquiry.CDB_LENGTH, 96, device, "INQUIRY");
        Inquiry.Standard inquiry = Inquiry.Standard.parse(std);
        if (inquiry.peripheralType() != Inquiry.DIRECT_ACCESS_BLOCK_DEVICE) {
            throw new BackendException(device + " is not a disk (SCSI peripheral device type "
                    + inquiry.peripheralType() + ")");
        }
        byte[] supported = vpd(fd, c, VPD_SUPPORTED_PAGES);
        byte[] serial = supports(supported, Inquiry.VPD_UNIT_SERIAL_NUMBER) ? vpd(fd, c, Inquiry.VPD_UNIT_SERIAL_NUMBER) : null;
        byte[] ids = supports(supported, Inquiry.VPD_DEVICE_IDENTIFICATION) ? vpd(fd, c, Inquiry.VPD_DEVICE_IDENTIFICATION) : null;
        byte[] limits = supports(supported, Inquiry.VPD_BLOCK_LIMITS) ? vpd(fd, c, Inquiry.VPD_BLOCK_LIMITS) : null;
        byte[] chars = supports(supported, Inquiry.VPD_BLOCK_DEVICE_CHARACTERISTICS)
                ? vpd(fd, c, Inquiry.VPD_BLOCK_DEVICE_CHARACTERISTICS) : null;
        byte[] lbp = supports(supported, Inquiry.VPD_LOGICAL_BLOCK_PROVISIONING)
                ? vpd(fd, c, Inquiry.VPD_LOGICAL_BLOCK_PROVISIONING) : null;
        byte[] cap = dataIn(fd, c, Cdb16.readCapacity16(c.cdb, Capacity16.LENGTH), Cdb16.LENGTH, Capacity16.LENGTH,
                device, "READ CAPACITY(16)");
        byte[] mode = dataIn(fd, c, ModeSense.cdb(c.cdb, ModeSense.CACHING_PAGE, 252), ModeSense.CDB_LENGTH, 252,
                device, "MODE SENSE(6) caching page");
        return new ScsiDescription(inquiry,
                serial == null ? "" : Inquiry.unitSerial(serial),
                ids == null ? "" : Inquiry.logicalUnitDesignator(ids),
                Capacity16.parse(cap),
                limits == null ? BlockLimits.NONE : BlockLimits.parse(limits),
                lbp == null ? Provisioning.NONE : Provisioning.parse(lbp),
                ModeSense.Caching.parse(mode),
                chars != null && Inquiry.rotational(chars));
    }

    /** Supported VPD Pages: 2-3 PAGE LENGTH, then one page code per byte. */
    private static boolean supports(byte[] supported, int page) {
        if (supported == null) {
            return false;
        }
        int n = Math.min(BigEndian.get16(supported, 2), supported.length - 4);
        for (int i = 0; i < n; i++) {
            if ((supported[4 + i] & 0xff) == page) {
                return true;
            }
        }
        return false;
    }

    /** A VPD page, or null when the device refused it. */
    private static byte[] vpd(int fd, SgChannel c, int page) {
        Inquiry.cdb(c.cdb, true, page, VPD_ALLOCATION);
        int status = c.run(fd, Inquiry.CDB_LENGTH, SgIoHeader.SG_DXFER_FROM_DEV, c.bounce, VPD_ALLOCATION, TIMEOUT_MS);
        if (status != ScsiOutcome.GOOD || c.hostStatus() != 0) {
            return null;
        }
        return c.bounceBytes(VPD_ALLOCATION);
    }

    private static byte[] dataIn(int fd, SgChannel c, byte[] cdb, int cdbLength, int length, String device,
            String what) throws BackendException {
        c.view(length).put(new byte[length]); // stale bytes must not pass for a short response
        int status = c.run(fd, cdbLength, SgIoHeader.SG_DXFER_FROM_DEV, c.bounce, length, TIMEOUT_MS);
        if (status != ScsiOutcome.GOOD || c.hostStatus() != 0) {
            throw new BackendException(device + ": " + what + " failed (status " + status + ", host status "
                    + c.hostStatus() + (c.sense() == null ? "" : ", " + c.sense()) + ")");
        }
        return c.bounceBytes(length);
    }
}
