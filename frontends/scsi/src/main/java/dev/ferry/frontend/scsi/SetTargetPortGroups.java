package dev.ferry.frontend.scsi;

import dev.ferry.core.access.AccessState;
import dev.ferry.core.config.AccessGroupConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SPC-4 6.49 SET TARGET PORT GROUPS (MAINTENANCE OUT A4h, service action 0Ah): explicit ALUA, served when the
 * export's access groups are configured (TPGS=11b); otherwise INVALID COMMAND OPERATION CODE, as for an
 * implicit-only device. The new states are the core's ({@link dev.ferry.core.access.AccessGroups#setStates}), so
 * NVMe hosts of the same groups see them too; every other I_T nexus gets ASYMMETRIC ACCESS STATE CHANGED. A change
 * stays until the administrator changes the groups' configuration.
 *
 * <pre>
 * CDB: byte 1 SERVICE ACTION(4-0) | bytes 6-9 PARAMETER LIST LENGTH | byte 11 CONTROL
 * parameter list: bytes 0-3 reserved, then 4-byte descriptors:
 *      byte 0 ASYMMETRIC ACCESS STATE(3-0) | byte 1 reserved | bytes 2-3 TARGET PORT GROUP
 * </pre>
 *
 * Only the active/optimized, active/non-optimized, standby and unavailable states may be asked for (6.49); any
 * other state, an unknown group, or a reserved bit is INVALID FIELD IN PARAMETER LIST and nothing changes.
 */
final class SetTargetPortGroups {
    static final int OPCODE = 0xA4;
    static final int SERVICE_ACTION = 0x0A;
    static final int HEADER = 4;
    static final int DESCRIPTOR = 4;
    /** Every group at most once: longer lists are refused before their data is read. */
    static final int MAX_LIST_LENGTH = HEADER + DESCRIPTOR * AccessGroupConfig.MAX_ID;

    private SetTargetPortGroups() {
    }

    static void execute(ScsiCommand c) {
        if (!c.target.export().accessGroups().layout().explicit()) {
            throw new CheckCondition(SenseData.invalidOpcode(1, 4));
        }
        long length = Cdb.u32(c.cdb, 6);
        if (length == 0) {
            c.good(); // SPC-4 6.49: zero is not an error, and nothing changes
            return;
        }
        if (length > MAX_LIST_LENGTH || length < HEADER || (length - HEADER) % DESCRIPTOR != 0) {
            throw CheckCondition.parameterListLengthError();
        }
        byte[] p = c.parameterList((int) length, 6);
        Map<Integer, AccessState> states = new LinkedHashMap<>();
        for (int at = HEADER; at < p.length; at += DESCRIPTOR) {
            if ((p[at] & 0xF0) != 0) {
                throw CheckCondition.invalidFieldInParameterList(at, 31 - Integer.numberOfLeadingZeros(p[at] & 0xF0));
            }
            if (p[at + 1] != 0) {
                throw CheckCondition.invalidFieldInParameterList(at + 1, 31 - Integer.numberOfLeadingZeros(p[at + 1] & 0xFF));
            }
            AccessState s = AccessState.ofScsiCode(p[at] & 0x0F);
            if (s == null || s == AccessState.TRANSITIONING) {
                throw CheckCondition.invalidFieldInParameterList(at, 3);
            }
            int group = Cdb.u16(p, at + 2);
            if (c.target.export().accessGroups().layout().group(group) == null) {
                throw CheckCondition.invalidFieldInParameterList(at + 2, 7);
            }
            states.put(group, s);
        }
        if (!c.target.export().accessGroups().setStates(states, c.nexus)) {
            throw CheckCondition.invalidFieldInParameterList(HEADER + 2, 7); // a group went away meanwhile
        }
        c.good();
    }
}
