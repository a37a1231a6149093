package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.pdu.DataInPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A connection reuses its task objects: each command still sees its own CDB, tag and data. */
class TaskReuseTest {
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

    @Test
    void anExtendedCdbDoesNotOutliveItsCommand() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(frontend.boundAddresses().get(0))) {
            c.login("iqn.2026-11.dev.ferry:client", TestTargets.TARGET, IscsiTestClient.defaults());
            byte[] block = new byte[512];
            new Random(4).nextBytes(block);
            assertEquals(ScsiResponse.GOOD, c.command(0, IscsiTestClient.write10(3, 1), 512, false, block).status());
            // READ(10) of LBA 3 with 16 more CDB bytes in an Extended CDB AHS (RFC 7143 11.3.5): 32 bytes in all.
            byte[] ahs = new byte[20];
            ahs[1] = 17;                                  // AHSLength: the reserved byte + 16 CDB bytes
            ahs[2] = ScsiCommandPdu.AHS_EXTENDED_CDB;
            Arrays.fill(ahs, 4, 20, (byte) 0x5a);
            ScsiCommandPdu cmd = ScsiCommandPdu.create().itt(c.itt()).lun(0).expectedDataTransferLength(512)
                    .cmdSn(c.cmdSn++).expStatSn(c.expStatSn).cdb(IscsiTestClient.read10(3, 1)).flags(true, true, false, 1);
            cmd.pdu().ahs(ahs);
            c.write(cmd.pdu());
            IscsiPdu in = c.read();
            assertEquals(Opcode.SCSI_DATA_IN, in.opcode());
            assertEquals(ScsiResponse.GOOD, new DataInPdu(in).status());
            byte[] got = new byte[512];
            in.data().getBytes(0, got);
            in.release();
            assertArrayEquals(block, got);
            // The next commands reuse the task: back to the 16-byte CDB of their own PDU.
            for (int i = 0; i < 3; i++) {
                IscsiTestClient.Result r = c.command(0, IscsiTestClient.read10(3, 1), 512, true, null);
                assertEquals(ScsiResponse.GOOD, r.status());
                assertArrayEquals(block, r.data());
            }
            assertEquals(List.of(16, 32, 16, 16, 16), fake.cdbLengths);
            c.logout();
        }
    }
}
