package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PERSISTENT RESERVE OUT PREEMPT AND ABORT (SPC-4 5.13.11.2.5) across two iSCSI sessions over TCP with the real SCSI
 * target: the preempted nexus's task on the unit ends with TASK ABORTED (TAS=1), then it meets the new state. With a
 * state directory the unit can persist its reservations, so its changes run off the event loop and are answered
 * back on it: the same bytes must come back.
 */
class PreemptAndAbortTest {
    static final String TARGET = "iqn.2026-11.dev.ferry:pr";
    static final int REGISTER = 0x00;
    static final int RESERVE = 0x01;
    static final int PREEMPT_AND_ABORT = 0x05;
    static final int WRITE_EXCLUSIVE = 0x1;

    @TempDir
    Path state;

    @Test
    void thePreemptedNexusTasksOnTheUnitEndWithTaskAborted() throws Exception {
        preemptAndAbort(null);
    }

    @Test
    void theSameWhenChangesRunOffTheLoop() throws Exception {
        preemptAndAbort(state.toString());
    }

    private void preemptAndAbort(String stateDirectory) throws Exception {
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("ram0", "ram", "8M", null, null, null, null, null, 1, null)),
                List.of(new TargetConfig(TARGET, "iscsi", List.of("127.0.0.1:0"), List.of(new LunConfig(0, "ram0")),
                        List.of(), true, null)), stateDirectory);
        try (TargetCore core = TargetCore.start(config);
             IscsiTestClient a = new IscsiTestClient(TestTargets.address(core));
             IscsiTestClient b = new IscsiTestClient(TestTargets.address(core))) {
            a.login("iqn.2026-11.dev.ferry:host-a", TARGET, IscsiTestClient.defaults());
            b.login("iqn.2026-11.dev.ferry:host-b", TARGET, IscsiTestClient.defaults());
            assertEquals(ScsiResponse.GOOD, prOut(a, REGISTER, 0, 0, 0xaL).status());
            assertEquals(ScsiResponse.GOOD, prOut(a, RESERVE, WRITE_EXCLUSIVE, 0xaL, 0).status());
            assertEquals(ScsiResponse.GOOD, prOut(b, REGISTER, 0, 0, 0xbL).status());

            // A's WRITE waits for its Data-Out: the R2T comes, the data never does.
            int writeItt = a.itt();
            a.write(ScsiCommandPdu.create().itt(writeItt).lun(0).expectedDataTransferLength(4096).cmdSn(a.cmdSn++)
                    .expStatSn(a.expStatSn).cdb(IscsiTestClient.write10(0, 8)).flags(true, false, true, 1).pdu());
            IscsiPdu r2t = a.read();
            assertEquals(Opcode.R2T, r2t.opcode());
            r2t.release();

            assertEquals(ScsiResponse.GOOD, prOut(b, PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, 0xbL, 0xaL).status());
            IscsiPdu aborted = a.read();
            assertEquals(Opcode.SCSI_RESPONSE, aborted.opcode());
            assertEquals(writeItt, aborted.itt());
            assertEquals(ScsiResponse.TASK_ABORTED, new ScsiResponsePdu(aborted).status());
            aborted.release();

            IscsiTestClient.Result ua = a.command(0, new byte[16], 0, false, null);
            assertEquals(ScsiResponse.CHECK_CONDITION, ua.status());
            assertEquals(0x2a, ua.sense()[12] & 0xff, "REGISTRATIONS PREEMPTED");
            assertEquals(0x05, ua.sense()[13] & 0xff);
            byte[] data = new byte[4096];
            assertEquals(ScsiResponse.RESERVATION_CONFLICT,
                    a.command(0, IscsiTestClient.write10(0, 8), data.length, false, data).status(),
                    "B now holds the reservation");
            assertEquals(ScsiResponse.GOOD, b.command(0, IscsiTestClient.write10(0, 8), data.length, false, data).status());
        }
    }

    /** PERSISTENT RESERVE OUT (SPC-4 6.16) with the basic 24-byte parameter list. */
    private static IscsiTestClient.Result prOut(IscsiTestClient c, int serviceAction, int type, long key, long sark)
            throws Exception {
        byte[] cdb = ByteBuffer.allocate(16).put((byte) 0x5f).put((byte) serviceAction).put((byte) type)
                .put((byte) 0).put((byte) 0).putInt(24).array();
        byte[] parameters = ByteBuffer.allocate(24).putLong(key).putLong(sark).array();
        return c.command(0, cdb, parameters.length, false, parameters);
    }
}
