package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.config.ConfigValidator;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.Ana;
import dev.ferry.frontend.nvme.AsyncEvents;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.ControllerProperties;
import dev.ferry.frontend.nvme.FabricsTransport;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.io.CopyCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Identify Controller data structure, CNS 01h (NVMe Base 2.0 5.17.2.1 Figure 275); 4096 bytes. */
public final class IdentifyController {
    public static final int SIZE = 4096;
    // Byte offsets (Figure 275)
    public static final int SN = 4;
    public static final int MN = 24;
    public static final int FR = 64;
    public static final int RAB = 72;
    public static final int CMIC = 76;
    public static final int MDTS = 77;
    public static final int CNTLID = 78;
    public static final int VER = 80;
    public static final int OAES = 92;
    public static final int CTRATT = 96;
    public static final int CNTRLTYPE = 111;
    public static final int ACL = 258;
    public static final int AERL = 259;
    public static final int FRMW = 260;
    public static final int LPA = 261;
    public static final int KAS = 320;
    public static final int SQES = 512;
    public static final int CQES = 513;
    public static final int MAXCMD = 514;
    public static final int NN = 516;
    public static final int ONCS = 520;
    /** OCFS, Optional Copy Formats Supported (NVM Command Set 1.0 Figure 101). */
    public static final int OCFS = 534;
    public static final int FUSES = 522;
    public static final int VWC = 525;
    public static final int NVSCC = 530;
    public static final int SGLS = 536;
    public static final int SUBNQN = 768;
    // Fabrics specific (Figure 275, bytes 1792-2047)
    public static final int IOCCSZ = 1792;
    public static final int IORCSZ = 1796;
    public static final int ICDOFF = 1800;
    public static final int FCATT = 1802;
    public static final int MSDBD = 1803;
    public static final int OFCS = 1804;

    public static final String MODEL = "Ferry NVMe-oF target";
    public static final String FIRMWARE = "0.1.0";
    static final int CNTRLTYPE_IO = 1;
    static final int CNTRLTYPE_DISCOVERY = 2;
    /** CMIC: bit 0 may have several ports, bit 1 several controllers (dynamic model). */
    static final int CMIC_MULTI_PORT_MULTI_CONTROLLER = 0x03;
    /** CTRATT: bit 0 128-bit host identifier (required on fabrics), bit 6 traffic based keep alive. */
    static final int CTRATT_HOSTID128_TBKAS = 1 | 1 << 6;
    /** ONCS: bit 0 Compare, bit 2 Dataset Management, bit 3 Write Zeroes, bit 5 Reservations. */
    static final int ONCS_COMPARE_DSM_WRITE_ZEROES = 1 | 1 << 2 | 1 << 3;
    static final int ONCS_RESERVATIONS = 1 << 5;
    /** FUSES bit 0: Compare and Write. */
    static final int FUSES_COMPARE_AND_WRITE = 1;
    /** VWC: bit 0 present; bits 2:1 = 10b, Flush does not take the broadcast NSID. */
    static final int VWC_PRESENT_NO_BROADCAST = 1 | 2 << 1;
    /** SGLS: bits 1:0 = 01b SGLs supported, bit 20 SGL Data Block address may be an offset (in-capsule data). */
    static final int SGLS_SUPPORTED_WITH_OFFSET = 1 | 1 << 20;
    /** SGLS bit 2: Keyed SGL Data Block descriptors supported (the RDMA transport's host memory). */
    static final int SGLS_KEYED = 1 << 2;
    /** LPA: bit 1 Commands Supported and Effects log, bit 2 extended Get Log Page (NUMDU, LPO). */
    static final int LPA_EFFECTS_EXTENDED = 1 << 1 | 1 << 2;
    /** FRMW: bit 0 slot 1 read only, bits 3:1 one slot. */
    static final int FRMW_ONE_READ_ONLY_SLOT = 1 | 1 << 1;
    /** OFCS bit 0: Disconnect is supported. */
    static final int OFCS_DISCONNECT = 1;

    private IdentifyController() {
    }

    public static ByteBuf build(Controller c, FabricsTransport transport) {
        ByteBuf b = Unpooled.buffer(SIZE, SIZE).writeZero(SIZE);
        boolean discovery = c.isDiscovery();
        Ascii.spacePadded(b, SN, 20, serial(c.subsystemNqn()));
        Ascii.spacePadded(b, MN, 40, MODEL);
        Ascii.spacePadded(b, FR, 8, FIRMWARE);
        b.setByte(RAB, 6);
        // Left zero: VID/SSVID (no PCI vendor), IEEE OUI 73-75 (none registered), OACS 256 (no optional admin
        // commands), ELPE 262 (one error log entry), NPSS 263 (power state 0 only), ACWU 532 (one block).
        b.setByte(CMIC, discovery ? 0 : CMIC_MULTI_PORT_MULTI_CONTROLLER);
        b.setByte(MDTS, Limits.MDTS);
        b.setShortLE(CNTLID, c.cntlid());
        b.setIntLE(VER, ControllerProperties.VERSION);
        b.setIntLE(OAES, discovery ? AsyncEvents.AEC_DISCOVERY_LOG_CHANGE : AsyncEvents.AEC_NAMESPACE_ATTRIBUTE);
        b.setIntLE(CTRATT, CTRATT_HOSTID128_TBKAS);
        b.setByte(CNTRLTYPE, discovery ? CNTRLTYPE_DISCOVERY : CNTRLTYPE_IO);
        b.setByte(ACL, Limits.ASYNC_EVENT_LIMIT - 1);
        b.setByte(AERL, Limits.ASYNC_EVENT_LIMIT - 1);
        b.setByte(FRMW, FRMW_ONE_READ_ONLY_SLOT);
        b.setByte(LPA, LPA_EFFECTS_EXTENDED);
        b.setShortLE(KAS, Limits.KEEP_ALIVE_GRANULARITY_100MS);
        b.setByte(SQES, 0x66);
        b.setByte(CQES, 0x44);
        b.setShortLE(MAXCMD, Limits.MAX_QUEUE_ENTRIES);
        if (!discovery) {
            b.setIntLE(NN, (int) ConfigValidator.MAX_NSID);
            b.setShortLE(ONCS, ONCS_COMPARE_DSM_WRITE_ZEROES | ONCS_RESERVATIONS | CopyCommand.ONCS_COPY);
            b.setShortLE(OCFS, CopyCommand.OCFS_FORMAT_0);
            b.setShortLE(FUSES, CompareAndWriteLimits.anyNamespaceCompares(c) ? FUSES_COMPARE_AND_WRITE : 0);
            b.setByte(VWC, writeCachePresent(c) ? VWC_PRESENT_NO_BROADCAST : 0);
            b.setByte(NVSCC, 1);
            Ana.identifyController(b);
        }
        b.setIntLE(SGLS, SGLS_SUPPORTED_WITH_OFFSET | (transport.keyedSglDescriptors() ? SGLS_KEYED : 0));
        Ascii.nulPadded(b, SUBNQN, 256, c.subsystemNqn());
        // A discovery controller has no I/O queues; the Linux host still checks IOCCSZ >= 4, so it gets the admin size.
        int inCapsule = discovery ? Limits.ADMIN_IN_CAPSULE_DATA : transport.ioInCapsuleDataSize();
        b.setIntLE(IOCCSZ, (64 + inCapsule) / 16);
        b.setIntLE(IORCSZ, 1);
        b.setShortLE(ICDOFF, 0);
        b.setByte(FCATT, 0); // bit 0 clear: dynamic controller model
        b.setByte(MSDBD, transport.maxSglDescriptors());
        b.setShortLE(OFCS, OFCS_DISCONNECT);
        return b;
    }

    /** VWC is a controller field: present when any namespace has a volatile write cache. */
    public static boolean writeCachePresent(Controller c) {
        for (LogicalUnit u : c.namespaces().values()) {
            if (u.descriptor().volatileWriteCache()) {
                return true;
            }
        }
        return false;
    }

    /** A stable serial for the subsystem: every controller of one subsystem reports the same one. */
    public static String serial(String subsystemNqn) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(subsystemNqn.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(h, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
