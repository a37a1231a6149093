package dev.ferry.frontend.scsi;

import dev.ferry.core.access.AccessLayout;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SPC-4 6.37 REPORT TARGET PORT GROUPS (MAINTENANCE IN A3h, service action 0Ah).
 *
 * <p>Without configured access groups the device does implicit ALUA only (TPGS=01b, SPC-4 5.15): every target port
 * is active/optimized, the only state supported, and the ports listed are those I_T nexuses have reached this
 * target through, grouped by their {@link ScsiPort#targetPortGroup()}: the transport names ports only when a nexus
 * forms on them.
 *
 * <p>With access groups configured (TPGS=11b, explicit and implicit) every group is listed with its state from the
 * core, the states SET TARGET PORT GROUPS accepts and transitioning as supported, and one target port per group
 * whose relative target port identifier is the group's id ({@link ScsiPort#iscsi}); a group without portals has
 * no port.
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
    static final int SERVICE_ACTION = 0x0A;
    static final int FORMAT_LENGTH_ONLY = 0b000;
    static final int FORMAT_EXTENDED = 0b001;
    static final int STATE_ACTIVE_OPTIMIZED = 0x0;
    static final int AO_SUP = 0x01;
    /** T_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP: the states an explicit device reports (offline and LBA dependent not). */
    static final int EXPLICIT_SUP = 0x80 | 0x08 | 0x04 | 0x02 | AO_SUP;
    static final int STATUS_NONE = 0x00;

    private TargetPortGroups() {
    }

    static void execute(ScsiCommand c) {
        int format = (c.cdb[1] >>> 5) & 0x07;
        if (format != FORMAT_LENGTH_ONLY && format != FORMAT_EXTENDED) {
            throw CheckCondition.invalidFieldInCdb(1, 7);
        }
        long allocationLength = Cdb.u32(c.cdb, 6);
        AccessLayout layout = c.target.export().accessGroups().layout();
        byte[] data = layout.explicit() ? report(format, layout) : report(format, c.target.ports());
        c.dataIn(data, (int) Math.min(allocationLength, data.length));
    }

    /** Implicit ALUA: the ports nexuses formed on, all active/optimized. */
    static byte[] report(int format, Iterable<ScsiPort> ports) {
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (ScsiPort p : ports) {
            groups.computeIfAbsent(p.targetPortGroup(), g -> new ArrayList<>()).add(p.relativePortId());
        }
        ByteArrayOutputStream out = header(format);
        for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
            // PREF=0: with every port active/optimized none is preferred
            out.writeBytes(descriptor(STATE_ACTIVE_OPTIMIZED, AO_SUP, g.getKey(), g.getValue()));
        }
        return finish(format, out);
    }

    /** Explicit ALUA: every configured group with its state. */
    static byte[] report(int format, AccessLayout layout) {
        ByteArrayOutputStream out = header(format);
        for (AccessLayout.Group g : layout.groups()) {
            List<Integer> ports = g.portals().isEmpty() ? List.of() : List.of(g.id());
            out.writeBytes(descriptor(g.state().scsiCode(), EXPLICIT_SUP, g.id(), ports));
        }
        return finish(format, out);
    }

    private static ByteArrayOutputStream header(int format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(new byte[format == FORMAT_EXTENDED ? 8 : 4]);
        return out;
    }

    private static byte[] descriptor(int state, int supported, int group, List<Integer> ports) {
        byte[] d = new byte[8 + 4 * ports.size()];
        d[0] = (byte) state;
        d[1] = (byte) supported;
        Cdb.put16(d, 2, group);
        d[5] = STATUS_NONE;
        d[7] = (byte) ports.size();
        for (int i = 0; i < ports.size(); i++) {
            Cdb.put16(d, 8 + 4 * i + 2, ports.get(i));
        }
        return d;
    }

    private static byte[] finish(int format, ByteArrayOutputStream out) {
        byte[] data = out.toByteArray();
        Cdb.put32(data, 0, data.length - 4);
        if (format == FORMAT_EXTENDED) {
            data[4] = (byte) (FORMAT_EXTENDED << 4);
        }
        return data;
    }
}
