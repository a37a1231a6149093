package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.TaskMgmtPdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Task management through a LUN mask, over real TCP against the SCSI emulation: a LUN an initiator cannot see does
 * not exist for its TMFs either (RFC 7143 11.6.1: response 2), and nothing changes for the initiators that see it.
 */
class MaskedTaskManagementTest {
    static final String TARGET = "iqn.2026-12.dev.ferry:masked";
    static final String OWNER = "iqn.2026-12.dev.ferry:owner";
    static final String MASKED = "iqn.2026-12.dev.ferry:masked-host";
    static final long LUN0 = 0;
    static final long LUN1 = 1L << 48;

    static FerryConfig config() {
        return new FerryConfig(
                List.of(new BackstoreConfig("ram0", "ram", "8M", null, null, null, null, null, 1, null),
                        new BackstoreConfig("ram1", "ram", "8M", null, null, null, null, null, 1, null)),
                List.of(new TargetConfig(TARGET, "iscsi", List.of("127.0.0.1:0"),
                        List.of(new LunConfig(0, "ram0"), new LunConfig(1, "ram1")),
                        List.of(new AclConfig(OWNER), new AclConfig(MASKED, null, null, null, null, List.of(0L))),
                        false, null)));
    }

    static int tmf(IscsiTestClient c, int function, long lun) throws Exception {
        c.write(TaskMgmtPdu.request(function, lun, c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, 0));
        IscsiPdu r = c.read();
        assertEquals(Opcode.TASK_MGMT_RESPONSE, r.opcode());
        return TaskMgmtPdu.response(r);
    }

    static IscsiTestClient.Result testUnitReady(IscsiTestClient c, long lun) throws Exception {
        return c.command(lun, new byte[16], 0, false, null);
    }

    @Test
    void aMaskedInitiatorCannotResetOrClearAUnitItDoesNotSee() throws Exception {
        try (TargetCore core = TargetCore.start(config())) {
            InetSocketAddress address = TestTargets.address(core);
            try (IscsiTestClient owner = new IscsiTestClient(address);
                 IscsiTestClient masked = new IscsiTestClient(address)) {
                owner.isid = 0x400001230011L;
                masked.isid = 0x400001230012L;
                owner.login(OWNER, TARGET, IscsiTestClient.defaults());
                masked.login(MASKED, TARGET, IscsiTestClient.defaults());
                assertEquals(ScsiResponse.GOOD, testUnitReady(owner, LUN1).status());

                for (int function : List.of(TaskMgmtPdu.LOGICAL_UNIT_RESET, TaskMgmtPdu.ABORT_TASK_SET,
                        TaskMgmtPdu.CLEAR_TASK_SET)) {
                    assertEquals(TaskMgmtPdu.LUN_DOES_NOT_EXIST, tmf(masked, function, LUN1), "function " + function);
                }
                assertEquals(ScsiResponse.GOOD, testUnitReady(owner, LUN1).status(),
                        "no BUS DEVICE RESET unit attention: LUN 1 was not reset");

                // Its own LUN it may reset, and only that one is reset for the others.
                assertEquals(TaskMgmtPdu.FUNCTION_COMPLETE, tmf(masked, TaskMgmtPdu.LOGICAL_UNIT_RESET, LUN0));
                assertEquals(ScsiResponse.CHECK_CONDITION, testUnitReady(owner, LUN0).status(), "29h/03h on LUN 0");
                assertEquals(ScsiResponse.GOOD, testUnitReady(owner, LUN1).status());

                // A target reset through the mask resets what the requester sees, not the hidden unit.
                assertEquals(TaskMgmtPdu.FUNCTION_COMPLETE, tmf(masked, TaskMgmtPdu.TARGET_WARM_RESET, 0));
                assertEquals(ScsiResponse.GOOD, testUnitReady(owner, LUN1).status());
                assertEquals(ScsiResponse.CHECK_CONDITION, testUnitReady(owner, LUN0).status(), "29h/00h on LUN 0");
            }
        }
    }
}
