package dev.ferry.frontend.scsi;

import java.io.ByteArrayOutputStream;

/**
 * SPC-4 6.11/6.12 MODE SENSE(6)/(10) and 6.9/6.10 MODE SELECT(6)/(10), over {@link ModePages}.
 *
 * <pre>
 * mode parameter header(6):  byte 0 MODE DATA LENGTH | 1 MEDIUM TYPE | 2 DEVICE-SPECIFIC PARAMETER
 *                            | 3 BLOCK DESCRIPTOR LENGTH
 * mode parameter header(10): bytes 0-1 MODE DATA LENGTH | 2 MEDIUM TYPE | 3 DEVICE-SPECIFIC PARAMETER
 *                            | 4 LONGLBA(0) | 6-7 BLOCK DESCRIPTOR LENGTH
 * device-specific parameter (SBC-3 6.4.1): WP(7) (read-only backstore or SWP set) | DPOFUA(4)
 * short block descriptor (SBC-3 6.4.2.2): bytes 0-3 NUMBER OF LOGICAL BLOCKS | 5-7 LOGICAL BLOCK LENGTH
 * long block descriptor (SBC-3 6.4.2.3):  bytes 0-7 NUMBER OF LOGICAL BLOCKS | 12-15 LOGICAL BLOCK LENGTH
 * </pre>
 */
final class ModeCommands {
    static final int WP = 0x80;
    static final int DPOFUA = 0x10;

    private ModeCommands() {
    }

    /** MODE SENSE(6): byte 1 DBD(3) | byte 2 PC(7-6) PAGE CODE(5-0) | byte 3 SUBPAGE CODE | byte 4 ALLOCATION LENGTH. */
    static void sense6(ScsiCommand c) {
        boolean dbd = (c.cdb[1] & 0x08) != 0;
        byte[] pages = pages(c);
        int pc = (c.cdb[2] & 0xC0) >>> 6;
        byte[] block = dbd ? new byte[0] : blockDescriptor(c.lu, false, pc);
        int length = 4 + block.length + pages.length;
        byte[] d = new byte[length];
        d[0] = (byte) Math.min(255, length - 1);
        d[2] = (byte) deviceSpecific(c.lu);
        d[3] = (byte) block.length;
        System.arraycopy(block, 0, d, 4, block.length);
        System.arraycopy(pages, 0, d, 4 + block.length, pages.length);
        c.dataIn(d, Math.min(Cdb.u8(c.cdb, 4), length));
    }

    /** MODE SENSE(10): byte 1 LLBAA(4) DBD(3) | byte 2 PC PAGE CODE | byte 3 SUBPAGE | bytes 7-8 ALLOCATION LENGTH. */
    static void sense10(ScsiCommand c) {
        boolean llbaa = (c.cdb[1] & 0x10) != 0;
        boolean dbd = (c.cdb[1] & 0x08) != 0;
        byte[] pages = pages(c);
        int pc = (c.cdb[2] & 0xC0) >>> 6;
        byte[] block = dbd ? new byte[0] : blockDescriptor(c.lu, llbaa, pc);
        int length = 8 + block.length + pages.length;
        byte[] d = new byte[length];
        Cdb.put16(d, 0, length - 2);
        d[3] = (byte) deviceSpecific(c.lu);
        d[4] = (byte) (llbaa && !dbd ? 0x01 : 0x00);
        Cdb.put16(d, 6, block.length);
        System.arraycopy(block, 0, d, 8, block.length);
        System.arraycopy(pages, 0, d, 8 + block.length, pages.length);
        c.dataIn(d, Math.min(Cdb.u16(c.cdb, 7), length));
    }

    private static int deviceSpecific(LunContext lu) {
        return (lu.writeProtected() ? WP : 0) | DPOFUA;
    }

    private static byte[] blockDescriptor(LunContext lu, boolean longLba, int pc) {
        byte[] b = new byte[longLba ? 16 : 8];
        if (pc == ModePages.PC_CHANGEABLE) {
            return b; // nothing in the block descriptor can be changed
        }
        if (longLba) {
            Cdb.put64(b, 0, lu.capacity());
            Cdb.put32(b, 12, lu.blockSize());
        } else {
            Cdb.put32(b, 0, lu.capacity() > 0xFFFF_FFFFL ? 0xFFFF_FFFFL : lu.capacity());
            b[5] = (byte) (lu.blockSize() >>> 16);
            b[6] = (byte) (lu.blockSize() >>> 8);
            b[7] = (byte) lu.blockSize();
        }
        return b;
    }

    /** The requested page(s) for the requested page control, validated as SPC-4 6.11.1 asks. */
    private static byte[] pages(ScsiCommand c) {
        int pc = (c.cdb[2] & 0xC0) >>> 6;
        int pageCode = c.cdb[2] & 0x3F;
        int subpage = Cdb.u8(c.cdb, 3);
        if (pc == ModePages.PC_SAVED) {
            throw new CheckCondition(SenseData.savingParametersNotSupported());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        if (pageCode == ModePages.ALL_PAGES) {
            if (subpage != 0x00 && subpage != 0xFF) {
                throw CheckCondition.invalidFieldInCdb(3, -1);
            }
            for (int p : ModePages.PAGES) {
                out.writeBytes(ModePages.page(p, pc, c.lu));
            }
        } else {
            if (!ModePages.supported(pageCode)) {
                throw CheckCondition.invalidFieldInCdb(2, 5);
            }
            if (subpage != 0x00) {
                throw CheckCondition.invalidFieldInCdb(3, -1); // no subpages
            }
            out.writeBytes(ModePages.page(pageCode, pc, c.lu));
        }
        return out.toByteArray();
    }

    /** MODE SELECT(6): byte 1 PF(4) SP(0) | byte 4 PARAMETER LIST LENGTH. */
    static void select6(ScsiCommand c) {
        byte[] p = c.parameterList(Cdb.u8(c.cdb, 4), 4);
        if (p.length == 0) {
            c.good();
            return;
        }
        if (p.length < 4) {
            throw CheckCondition.parameterListLengthError();
        }
        select(c, p, 4, Cdb.u8(p, 3), 3, false);
    }

    /** MODE SELECT(10): byte 1 PF(4) SP(0) | bytes 7-8 PARAMETER LIST LENGTH. */
    static void select10(ScsiCommand c) {
        byte[] p = c.parameterList(Cdb.u16(c.cdb, 7), 7);
        if (p.length == 0) {
            c.good();
            return;
        }
        if (p.length < 8) {
            throw CheckCondition.parameterListLengthError();
        }
        select(c, p, 8, Cdb.u16(p, 6), 6, (p[4] & 0x01) != 0);
    }

    /**
     * Validates the whole parameter list before changing anything: every byte of every page must equal the current
     * value except in bits the changeable mask allows (SPC-4 6.9.1: else INVALID FIELD IN PARAMETER LIST).
     */
    private static void select(ScsiCommand c, byte[] p, int headerLength, int blockDescriptorLength,
                               int bdlOffset, boolean longLba) {
        LunContext lu = c.lu;
        if (blockDescriptorLength != 0 && blockDescriptorLength != (longLba ? 16 : 8)) {
            throw CheckCondition.invalidFieldInParameterList(bdlOffset, -1);
        }
        int at = headerLength;
        if (at + blockDescriptorLength > p.length) {
            throw CheckCondition.parameterListLengthError();
        }
        if (blockDescriptorLength > 0) {
            int lengthAt = at + (longLba ? 12 : 5);
            long blockLength = longLba ? Cdb.u32(p, lengthAt) : Cdb.u24(p, lengthAt);
            if (blockLength != lu.blockSize()) {
                throw CheckCondition.invalidFieldInParameterList(lengthAt, -1); // the block size cannot change
            }
            at += blockDescriptorLength;
        }
        boolean wce = lu.writeCacheEnabled();
        boolean swp = lu.softwareWriteProtected();
        while (at < p.length) {
            if (at + 2 > p.length) {
                throw CheckCondition.parameterListLengthError();
            }
            int code = p[at] & 0x3F;
            if ((p[at] & 0x40) != 0) {
                throw CheckCondition.invalidFieldInParameterList(at, 6); // SPF: no subpages
            }
            if (!ModePages.supported(code)) {
                throw CheckCondition.invalidFieldInParameterList(at, 5);
            }
            byte[] current = ModePages.page(code, ModePages.PC_CURRENT, lu);
            byte[] changeable = ModePages.page(code, ModePages.PC_CHANGEABLE, lu);
            int length = Cdb.u8(p, at + 1);
            if (length != current.length - 2) {
                throw CheckCondition.invalidFieldInParameterList(at + 1, -1);
            }
            if (at + 2 + length > p.length) {
                throw CheckCondition.parameterListLengthError();
            }
            for (int i = 2; i < current.length; i++) {
                int bad = (p[at + i] ^ current[i]) & ~changeable[i] & 0xFF;
                if (bad != 0) {
                    throw CheckCondition.invalidFieldInParameterList(at + i,
                            31 - Integer.numberOfLeadingZeros(bad));
                }
            }
            if (code == ModePages.CACHING) {
                wce = (p[at + 2] & ModePages.WCE) != 0;
            } else if (code == ModePages.CONTROL) {
                swp = (p[at + 4] & ModePages.SWP) != 0;
            }
            at += 2 + length;
        }
        if (wce != lu.writeCacheEnabled() || swp != lu.softwareWriteProtected()) {
            lu.setWriteCacheEnabled(wce, c.nexus);
            lu.setSoftwareWriteProtected(swp);
            // SPC-4 6.9.1: MODE PARAMETERS CHANGED for every I_T nexus but the one that changed them
            c.target.establish(lu, c.nexus, UnitAttention.MODE_PARAMETERS_CHANGED);
        }
        c.good();
    }
}
