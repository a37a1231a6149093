package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.ScsiPort;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.scsi.ScsiTarget;
import dev.ferry.frontend.scsi.ScsiTask;
import dev.ferry.frontend.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One Ferry exporting a file backstore as iSCSI LUN 0 and NVMe namespace 1: the write cache setting and the
 * persistent reservation are the logical unit's, so what one protocol sets the other reads and obeys. NVMe goes
 * over NVMe/TCP to the running frontend; SCSI commands run on a {@link ScsiTarget} over the same export of the
 * same running core (the SCSI command set the iSCSI frontend uses), without an iSCSI session.
 */
class UnitStateAcrossProtocolsTest {
    private static final String IQN = "iqn.2026-12.dev.ferry:unit-state";
    private static final String NQN = "nqn.2026-12.dev.ferry:unit-state";
    private static final int BLOCK = 512;
    private static final int VOLATILE_WRITE_CACHE = 0x06;
    /** Generic status 83h Reservation Conflict (Base 2.0 Figure 102), without the DNR/More bits. */
    private static final int RESERVATION_CONFLICT = 0x083;
    private static final ItNexus INITIATOR = new ItNexus("iqn.2026-12.dev.ferry:host-a,i,0x23d000000001",
            "iqn.2026-12.dev.ferry:host-a", 0x23D000000001L,
            new ScsiPort(IQN, IQN + ",t,0x0001", 1, 0, ScsiPort.PROTOCOL_ISCSI));

    @TempDir
    Path dir;
    private TargetCore core;
    private InetSocketAddress nvme;
    private ScsiTarget scsi;
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final CompletionQueue queue = new CompletionQueue(loop, 16);

    @BeforeEach
    void start() throws Exception {
        BackstoreConfig file = new BackstoreConfig("shared", "file", "4M", dir.resolve("shared.img").toString(),
                null, null, null, null, null, null);
        TargetConfig iscsi = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, "shared")), List.of(), true, null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig(1, "shared")), List.of(), true, null);
        core = TargetCore.start(new FerryConfig(List.of(file), List.of(iscsi, subsystem)));
        nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
        scsi = new ScsiTarget(core.registry().export(TargetConfig.ISCSI, IQN));
    }

    @AfterEach
    void stop() throws Exception {
        loop.shutdown();
        loop.awaitTermination(10, TimeUnit.SECONDS);
        if (core != null) {
            core.close();
        }
    }

    /** Status, sense data (or null) and Data-In of one command. */
    private record Result(int status, byte[] sense, byte[] data) {
    }

    /** Runs one CDB on LUN 0 on the "event loop" thread. */

    private Result scsi(byte[] cdb, byte[] dataOut) throws Exception {
        CompletableFuture<Result> done = new CompletableFuture<>();
        ByteBuf out = dataOut == null ? null : Unpooled.wrappedBuffer(dataOut);
        ScsiTask task = new ScsiTask() {
            @Override public long lun() { return 0; }
            @Override public byte[] cdb() { return Arrays.copyOf(cdb, 16); }
            @Override public int expectedTransferLength() { return dataOut != null ? dataOut.length : 4096; }
            @Override public ByteBuf dataOut() { return out; }
            @Override public TaskAttribute attribute() { return TaskAttribute.SIMPLE; }
            @Override public ItNexus nexus() { return INITIATOR; }
            @Override public boolean aborted() { return false; }

            @Override
            public void complete(ScsiResponse r) {
                byte[] in = r.dataIn() == null ? new byte[0] : ByteBufUtil.getBytes(r.dataIn());
                if (r.dataIn() != null) {
                    r.dataIn().release();
                }
                done.complete(new Result(r.status(), r.sense(), in));
            }
        };
        loop.execute(() -> scsi.execute(task, queue));
        return done.get(30, TimeUnit.SECONDS);
    }

    /** The Caching mode page (MODE SENSE(10), DBD) of LUN 0. */
    private byte[] cachingPage() throws Exception {
        Result r = scsi(new byte[] {0x5A, 0x08, 0x08, 0, 0, 0, 0, 0, (byte) 255, 0}, null);
        assertEquals(ScsiResponse.GOOD, r.status());
        return Arrays.copyOfRange(r.data(), 8, r.data().length);
    }

    private static boolean wce(byte[] page) {
        return (page[2] & 0x04) != 0;
    }

    private static ByteBuffer features(int opcode, int fid, int cdw11, int cid) {
        ByteBuffer b = NvmeTcpTestHost.sqe(opcode, cid, 0);
        b.putInt(40, fid).putInt(44, cdw11);
        return b;
    }

    @Test
    void writeCacheIsOneSettingForBothProtocols() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(nvme)) {
            admin.connectAdmin(NQN, 0);
            assertEquals(true, wce(cachingPage()));
            assertEquals(0, admin.execute(features(0x09, VOLATILE_WRITE_CACHE, 0, admin.nextCid()), null, null)
                    .status(), "Set Features Volatile Write Cache WCE=0");
            Result tur = scsi(new byte[6], null);
            assertEquals(ScsiResponse.CHECK_CONDITION, tur.status());
            assertEquals(0x2A01, (tur.sense()[12] & 0xFF) << 8 | tur.sense()[13] & 0xFF,
                    "MODE PARAMETERS CHANGED (SPC-4 6.9.1): another initiator changed the unit's cache");
            assertEquals(false, wce(cachingPage()), "MODE SENSE reports what NVMe set");

            byte[] page = cachingPage();
            page[0] &= 0x7F;
            page[2] |= 0x04;
            byte[] list = new byte[8 + page.length];
            System.arraycopy(page, 0, list, 8, page.length);
            assertEquals(ScsiResponse.GOOD, scsi(new byte[] {0x55, 0x10, 0, 0, 0, 0, 0, 0, (byte) list.length, 0},
                    list).status(), "MODE SELECT WCE=1");
            assertEquals(1, admin.execute(features(0x0A, VOLATILE_WRITE_CACHE, 0, admin.nextCid()), null, null)
                    .result() & 1, "Get Features reports what SCSI set");
        }
    }

    @Test
    void nvmeWritesConflictWithAScsiWriteExclusiveReservation() throws Exception {
        byte[] register = new byte[24];
        register[15] = 0x42; // SERVICE ACTION RESERVATION KEY 42h
        assertEquals(ScsiResponse.GOOD, scsi(new byte[] {0x5F, 0x00, 0, 0, 0, 0, 0, 0, 24, 0}, register).status());
        byte[] reserve = new byte[24];
        reserve[7] = 0x42;   // RESERVATION KEY
        assertEquals(ScsiResponse.GOOD, scsi(new byte[] {0x5F, 0x01, 0x01, 0, 0, 0, 0, 0, 24, 0}, reserve).status(),
                "PERSISTENT RESERVE OUT RESERVE, Write Exclusive");

        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(nvme); NvmeTcpTestHost io = new NvmeTcpTestHost(nvme)) {
            io.connectIo(NQN, admin.connectAdmin(NQN, 0), 1, 31);
            ByteBuffer write = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE,
                    io.nextCid(), 1), BLOCK);
            write.putLong(40, 0).putInt(48, 0);
            assertEquals(RESERVATION_CONFLICT, io.execute(write, null, new byte[BLOCK]).status() & 0x7FF);
            assertEquals(BLOCK, io.read(1, 0, 1, BLOCK).length, "reads pass a Write Exclusive reservation");
        }
        assertEquals(ScsiResponse.GOOD, scsi(new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0}, new byte[BLOCK]).status(),
                "the holder still writes");
    }
}
