package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.pdu.DataOutPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.R2tPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Write data is received straight into the write's buffer as it arrives: a Data-Out that fails its digest there
 * leaves the command waiting for that data (its sequence not advanced), and PDUs arriving in small pieces land
 * intact.
 */
class DataLandingTest {
    static final String INITIATOR = "iqn.2026-11.dev.ferry:client";

    FakeCommandSet fake;
    IscsiFrontend frontend;

    @BeforeEach
    void start() throws Exception {
        UnitRegistry registry = new UnitRegistry();
        registry.replace(Map.of(), List.of(new Export(TestTargets.TARGET, "iscsi", null,
                List.of(new Portal("127.0.0.1", 0)), new TreeMap<>(), Set.of(), true)));
        fake = new FakeCommandSet();
        frontend = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, 30, e -> fake);
        frontend.start();
    }

    @AfterEach
    void stop() {
        frontend.close();
    }

    private IscsiTestClient login(boolean dataDigest) throws Exception {
        Map<String, String> ops = IscsiTestClient.defaults();
        ops.put("ImmediateData", "No");
        ops.put("InitialR2T", "Yes");
        ops.put("MaxRecvDataSegmentLength", "4096");
        if (dataDigest) {
            ops.put("DataDigest", "CRC32C");
        }
        IscsiTestClient c = new IscsiTestClient(frontend.boundAddresses().get(0));
        c.login(INITIATOR, TestTargets.TARGET, ops);
        return c;
    }

    /** Sends WRITE(10) of {@code data} at LBA 0 without data; returns the R2T's TTT. */
    private static int writeCommand(IscsiTestClient c, int itt, byte[] data) throws Exception {
        c.write(ScsiCommandPdu.create().itt(itt).lun(0).expectedDataTransferLength(data.length).cmdSn(c.cmdSn++)
                .expStatSn(c.expStatSn).cdb(IscsiTestClient.write10(0, data.length / 512))
                .flags(true, false, true, 1).pdu());
        IscsiPdu r2t = c.read();
        try {
            assertEquals(Opcode.R2T, r2t.opcode());
            assertEquals(data.length, new R2tPdu(r2t).desiredLength());
            return new R2tPdu(r2t).ttt();
        } finally {
            r2t.release();
        }
    }

    private static IscsiPdu dataOut(IscsiTestClient c, int itt, int ttt, int dataSn, byte[] data, int off, int len,
                                    boolean last) {
        return DataOutPdu.create().itt(itt).lun(0).ttt(ttt).dataSn(dataSn).bufferOffset(off)
                .expStatSn(c.expStatSn).finalBit(last).pdu().data(Unpooled.wrappedBuffer(data, off, len));
    }

    @Test
    void aDataOutFailingItsDigestIsRejectedAndItsDataIsStillAwaited() throws Exception {
        try (IscsiTestClient c = login(true)) {
            byte[] data = new byte[8192];
            new Random(21).nextBytes(data);
            int itt = c.itt();
            int ttt = writeCommand(c, itt, data);
            c.write(dataOut(c, itt, ttt, 0, data, 0, 4096, false));
            // The second half with garbage and the digest of the real bytes: it lands in the write's buffer first.
            byte[] wire = c.encode(dataOut(c, itt, ttt, 1, data, 4096, 4096, true));
            byte[] corrupted = wire.clone();
            for (int i = 48; i < 48 + 4096; i++) {
                corrupted[i] = (byte) 0xee;
            }
            c.writeRaw(corrupted);
            IscsiPdu rej = c.read();
            assertEquals(Opcode.REJECT, rej.opcode());
            assertEquals(RejectPdu.DATA_DIGEST_ERROR, RejectPdu.reason(rej));
            rej.release();
            // DataSN 1 is still the one expected: the retransmitted PDU completes the write with the real bytes.
            c.writeRaw(wire);
            IscsiPdu resp = c.read();
            assertEquals(Opcode.SCSI_RESPONSE, resp.opcode());
            assertEquals(ScsiResponse.GOOD, new ScsiResponsePdu(resp).status());
            resp.release();
            assertArrayEquals(data, Arrays.copyOf(fake.disk, data.length));
        }
    }

    @Test
    void dataOutArrivingInSmallPiecesLandsIntact() throws Exception {
        try (IscsiTestClient c = login(true)) {
            for (int round = 0; round < 3; round++) {
                byte[] data = new byte[16384];
                new Random(round).nextBytes(data);
                int itt = c.itt();
                int ttt = writeCommand(c, itt, data);
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                for (int off = 0, sn = 0; off < data.length; off += 4096, sn++) {
                    all.writeBytes(c.encode(dataOut(c, itt, ttt, sn, data, off, 4096, off + 4096 == data.length)));
                }
                byte[] wire = all.toByteArray();
                for (int at = 0; at < wire.length; at += 13) {
                    c.writeRaw(Arrays.copyOfRange(wire, at, Math.min(wire.length, at + 13)));
                }
                IscsiPdu resp = c.read();
                assertEquals(Opcode.SCSI_RESPONSE, resp.opcode());
                assertEquals(ScsiResponse.GOOD, new ScsiResponsePdu(resp).status());
                resp.release();
                assertArrayEquals(data, Arrays.copyOf(fake.disk, data.length));
            }
        }
    }
}
