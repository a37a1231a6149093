package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost.Completion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One backstore as iSCSI LUN 0 and NVMe/TCP namespace 1 of one Ferry, over real sockets: a reservation made over
 * one protocol is reported and enforced over the other, and a preemption across protocols reaches the preempted
 * side as its protocol says (an NVMe Reservation Notification with its asynchronous event; a SCSI unit attention).
 */
class CrossProtocolReservationsTest {
    private static final String IQN = "iqn.2026-12.dev.ferry:resv";
    private static final String NQN = "nqn.2026-12.dev.ferry:resv";
    private static final long NVME_KEY = 0xAAAA;
    private static final long SCSI_KEY = 0xBBBB;
    private static final int CONFLICT_NVME = 0x4083;
    private static final int RESERVATION_CONFLICT_SCSI = 0x18;

    private TargetCore core;
    private NvmeTcpTestHost admin;
    private NvmeTcpTestHost io;
    private IscsiInitiator scsi;

    @BeforeEach
    void start() throws Exception {
        BackstoreConfig disk = new BackstoreConfig("resv-ram", "ram", "4M", null, null, null, null, null, null, null);
        TargetConfig iscsi = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, "resv-ram")), List.of(), true, null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig(1, "resv-ram")), List.of(), true, null);
        core = TargetCore.start(new FerryConfig(List.of(disk), List.of(iscsi, subsystem)));
        InetSocketAddress nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
        admin = new NvmeTcpTestHost(nvme);
        io = new NvmeTcpTestHost(nvme);
        io.connectIo(NQN, admin.connectAdmin(NQN, 0), 1, 31);
        scsi = new IscsiInitiator(core.frontend(TargetConfig.ISCSI).boundAddresses().get(0), IQN);
    }

    @AfterEach
    void stop() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {scsi, io, admin}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the target goes next anyway
            }
        }
        if (core != null) {
            core.close();
        }
    }

    @Test
    void nvmeReservationIsSeenAndEnforcedOverIscsiAndAScsiPreemptNotifiesTheNvmeHost() throws Exception {
        int aer = admin.nextCid();
        admin.sendCapsule(NvmeTcpTestHost.sqe(0x0C, aer, 0).array(), null); // waits for an event
        assertEquals(0, nvme(0x0D, 0x0, keys(0, NVME_KEY)).status(), "Register");
        assertEquals(0, nvme(0x11, 0x100, keys(NVME_KEY, 0)).status(), "Acquire Write Exclusive");

        IscsiInitiator.Result rr = scsi.command(0, prIn(0x01), 4096, null);
        assertEquals(0, rr.status());
        ByteBuffer r = ByteBuffer.wrap(rr.data());
        assertEquals(16, r.getInt(4), "READ RESERVATION: reserved");
        assertEquals(NVME_KEY, r.getLong(8));
        assertEquals(0x01, rr.data()[21], "SCOPE LU, TYPE Write Exclusive");
        byte[] full = scsi.command(0, prIn(0x03), 4096, null).data();
        String text = new String(full, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains(NvmeTcpTestHost.HOST_NQN), "READ FULL STATUS names the NVMe host");
        assertEquals(0x03, full[8 + 12], "ALL_TG_PT, R_HOLDER");

        assertEquals(RESERVATION_CONFLICT_SCSI, scsi.command(0, write10(), 512, new byte[512]).status());
        assertEquals(0, scsi.command(0, read10(), 512, null).status(), "Write Exclusive lets reads through");

        assertEquals(0, scsi.command(0, prOut(0x00, 0), 24, prOutList(0, SCSI_KEY)).status());
        assertEquals(0, scsi.command(0, prOut(0x04, 0x03), 24, prOutList(SCSI_KEY, NVME_KEY)).status(),
                "PREEMPT the NVMe host, Exclusive Access");

        NvmeTcpTestHost.Received event = admin.read();
        assertEquals(aer, event.cid());
        assertEquals(0, event.status());
        assertEquals(0x00_80_00_06L, event.result() & 0xFFFFFFFFL, "Reservation Log Page Available");
        ByteBuffer page = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x02, admin.nextCid(), 0xFFFFFFFFL), 64);
        page.putInt(40, 0x80 | (64 / 4 - 1) << 16);
        byte[] log = admin.execute(page, null, null).data();
        assertEquals(1, log[0], "Log Page Count");
        assertEquals(1, log[8], "Registration Preempted");
        assertEquals(1, log[12], "namespace 1");

        assertEquals(CONFLICT_NVME, io.execute(readSqe(), null, null).status(), "Exclusive Access refuses NVMe reads");
        assertEquals(0, scsi.command(0, write10(), 512, new byte[512]).status());
    }

    @Test
    void scsiReservationShowsInTheNvmeReportAndAnNvmePreemptIsAScsiUnitAttention() throws Exception {
        assertEquals(0, scsi.command(0, prOut(0x00, 0), 24, prOutList(0, SCSI_KEY)).status());
        assertEquals(0, scsi.command(0, prOut(0x01, 0x01), 24, prOutList(SCSI_KEY, 0)).status(), "RESERVE WE");
        assertEquals(CONFLICT_NVME, nvmeWrite().status());

        byte[] report = reportExtended();
        ByteBuffer b = ByteBuffer.wrap(report).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, report[4], "RTYPE Write Exclusive");
        assertEquals(1, b.getShort(5), "REGCTL: the SCSI initiator port");
        assertEquals(0xFFFF, b.getShort(64) & 0xFFFF, "CNTLID");
        assertEquals(1, report[66], "RCSTS: holds it");
        assertEquals(SCSI_KEY, b.getLong(72));
        assertTrue(!Arrays.equals(new byte[16], Arrays.copyOfRange(report, 80, 96)), "derived Host Identifier");

        assertEquals(0, nvme(0x0D, 0x0, keys(0, NVME_KEY)).status());
        assertEquals(0, nvme(0x11, 0x201, keys(NVME_KEY, SCSI_KEY)).status(), "preempt, Exclusive Access");
        IscsiInitiator.Result ua = scsi.command(0, testUnitReady(), 0, null);
        assertEquals(0x02, ua.status(), "CHECK CONDITION");
        assertArrayEquals(new int[] {0x6, 0x2A, 0x05}, sense(ua.sense()), "UNIT ATTENTION, REGISTRATIONS PREEMPTED");
        assertEquals(RESERVATION_CONFLICT_SCSI, scsi.command(0, read10(), 512, null).status());
        assertEquals(0, nvmeWrite().status());
    }

    private Completion nvme(int opcode, int cdw10, byte[] data) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(opcode, io.nextCid(), 1), data.length);
        s.putInt(40, cdw10);
        return io.execute(s, null, data);
    }

    private Completion nvmeWrite() throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x01, io.nextCid(), 1), 512);
        s.putLong(40, 0).putInt(48, 0);
        return io.execute(s, null, new byte[512]);
    }

    private ByteBuffer readSqe() {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x02, io.nextCid(), 1), 512);
        s.putLong(40, 0).putInt(48, 0);
        return s;
    }

    private byte[] reportExtended() throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x0E, io.nextCid(), 1), 4096);
        s.putInt(40, 4096 / 4 - 1).putInt(44, 1);
        Completion c = io.execute(s, null, null);
        assertEquals(0, c.status());
        return c.data();
    }

    private static byte[] keys(long first, long second) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(first).putLong(second).array();
    }

    private static int[] sense(byte[] s) {
        return new int[] {s[2] & 0x0F, s[12] & 0xFF, s[13] & 0xFF};
    }

    private static byte[] prIn(int serviceAction) {
        return new byte[] {0x5E, (byte) serviceAction, 0, 0, 0, 0, 0, 0x10, 0x00, 0};
    }

    private static byte[] prOut(int serviceAction, int type) {
        return new byte[] {0x5F, (byte) serviceAction, (byte) type, 0, 0, 0, 0, 0, 24, 0};
    }

    private static byte[] prOutList(long rk, long sark) {
        return ByteBuffer.allocate(24).putLong(rk).putLong(sark).array();
    }

    private static byte[] write10() {
        return new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    }

    private static byte[] read10() {
        return new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    }

    private static byte[] testUnitReady() {
        return new byte[6];
    }
}
