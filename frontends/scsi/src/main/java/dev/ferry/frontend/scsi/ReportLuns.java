package dev.ferry.frontend.scsi;

import java.util.ArrayList;
import java.util.List;

/**
 * SPC-4 6.33 REPORT LUNS. Served whatever LUN it is addressed to (an existing LU, a LUN with no LU, or the REPORT
 * LUNS well-known logical unit), as SPC-4 requires.
 *
 * <pre>
 * CDB:  byte 0 A0h | byte 2 SELECT REPORT | bytes 6-9 ALLOCATION LENGTH | byte 11 CONTROL
 * data: bytes 0-3 LUN LIST LENGTH (n-7) | bytes 4-7 reserved | bytes 8.. one 8-byte LUN per unit
 * </pre>
 */
final class ReportLuns {
    static final int SELECT_LOGICAL_UNITS = 0x00;
    static final int SELECT_WELL_KNOWN = 0x01;
    static final int SELECT_ALL = 0x02;

    private ReportLuns() {
    }

    static void execute(ScsiCommand c) {
        int select = Cdb.u8(c.cdb, 2);
        long allocationLength = Cdb.u32(c.cdb, 6);
        if (allocationLength < 16) {
            throw CheckCondition.invalidFieldInCdb(6, -1); // SPC-4 6.33: less than 16 bytes is an invalid field
        }
        List<Long> fields = new ArrayList<>();
        switch (select) {
            case SELECT_LOGICAL_UNITS, SELECT_ALL -> {
                for (long lun : c.target.visibleLuns(c.nexus).keySet()) {
                    fields.add(Luns.encode(lun));
                }
                if (fields.isEmpty()) {
                    fields.add(0L); // a target without units still reports LUN 0 (SPC-4 6.33, as LIO)
                }
                if (select == SELECT_ALL) {
                    fields.add((long) Luns.REPORT_LUNS_WLUN_ADDRESS << 48);
                }
            }
            case SELECT_WELL_KNOWN -> fields.add((long) Luns.REPORT_LUNS_WLUN_ADDRESS << 48);
            default -> throw CheckCondition.invalidFieldInCdb(2, -1);
        }
        byte[] data = new byte[8 + 8 * fields.size()];
        Cdb.put32(data, 0, 8L * fields.size());
        for (int i = 0; i < fields.size(); i++) {
            Cdb.put64(data, 8 + 8 * i, fields.get(i));
        }
        // SPC-4 6.33: REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED on every unit for this I_T nexus
        for (LunContext lu : c.target.luns().values()) {
            lu.attentions(c.nexus).clear(UnitAttention.REPORTED_LUNS_DATA_CHANGED);
        }
        c.dataIn(data, (int) Math.min(allocationLength, data.length));
    }
}
