package dev.ferry.frontend.scsi;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SPC-4 6.37 REPORT TARGET PORT GROUPS (MAINTENANCE IN A3h, service action 0Ah) for implicit ALUA (TPGS=01b,
 * SPC-4 5.15): every target port is active/optimized, and the only state supported, so SET TARGET PORT GROUPS is not
 * implemented (its MAINTENANCE OUT opcode answers INVALID COMMAND OPERATION CODE). The ports listed are those I_T
 * nexuses have reached this target through, grouped by their {@link ScsiPort#targetPortGroup()}: the transport
 * names ports only when a nexus forms on them.
 *
 * <pre>
 * CDB: byte 1 PARAMETER DATA FORMAT(7-5) | SERVICE ACTION(4-0) | bytes 6-9 ALLOCATION LENGTH | byte 11 CONTROL
 * length only header (000b): bytes 0-3 RETURN DATA LENGTH (n-3)
 * extended header (001b):    bytes 0-3 RETURN DATA LENGTH (n-3) | byte 4 FORMAT TYPE(6-4) = 001b
 *                            | byte 5 IMPLICIT TRANSITION TIME | bytes 6-7 reserved
 * target port group descriptor:
 *      byte 0 PREF(7) | ASYMMETRIC ACCESS STATE(3-0) | byte 1 T_SUP O_SUP LBD_SUP U_SUP S_SUP AN_SUP AO_SUP(0)
 *      | bytes 2-3 TARGET PORT GROUP | byte 5 STATUS CODE | byte 7 TARGET PORT COUNT
 *      | then 4 bytes per port: bytes 2-3 RELATIVE TARGET PORT IDENTIFIER
 * </pre>
 */
final class TargetPortGroups {
    static final int FORMAT_LENGTH_ONLY = 0b000;
    static final int FORMAT_EXTENDED = 0b001;
    static final int STATE_ACTIVE_OPTIMIZED = 0x0;
    static final int AO_SUP = 0x01;
    static final int STATUS_NONE = 0x00;

    private TargetPortGroups() {
    }

    static void execute(ScsiCommand c) {
        int format = (c.cdb[1] >>> 5) & 0x07;
        if (format != FORMAT_LENGTH_ONLY && format != FORMAT_EXTENDED) {
            throw CheckCondition.invalidFieldInCdb(1, 7);
        }
        long allocationLength = Cdb.u32(c.cdb, 6);
        byte[] data = report(format, c.target.ports());
        c.dataIn(data, (int) Math.min(allocationLength, data.length));
    }

    static byte[] report(int format, Iterable<ScsiPort> ports) {
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (ScsiPort p : ports) {
            groups.computeIfAbsent(p.targetPortGroup(), g -> new ArrayList<>()).add(p.relativePortId());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        int header = format == FORMAT_EXTENDED ? 8 : 4;
        out.writeBytes(new byte[header]);
        for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
            byte[] d = new byte[8 + 4 * g.getValue().size()];
            d[0] = STATE_ACTIVE_OPTIMIZED; // PREF=0: with every port active/optimized none is preferred
            d[1] = AO_SUP;
            Cdb.put16(d, 2, g.getKey());
            d[5] = STATUS_NONE;
            d[7] = (byte) g.getValue().size();
            for (int i = 0; i < g.getValue().size(); i++) {
                Cdb.put16(d, 8 + 4 * i + 2, g.getValue().get(i));
            }
            out.writeBytes(d);
        }
        byte[] data = out.toByteArray();
        Cdb.put32(data, 0, data.length - 4);
        if (format == FORMAT_EXTENDED) {
            data[4] = (byte) (FORMAT_EXTENDED << 4);
        }
        return data;
    }
}
