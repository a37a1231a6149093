package dev.ferry.frontend.scsi;

import java.io.ByteArrayOutputStream;

/**
 * SPC-4 6.35 REPORT SUPPORTED OPERATION CODES (MAINTENANCE IN A3h, service action 0Ch), generated from
 * {@link CommandSet} so that it reports exactly the commands this unit executes.
 *
 * <pre>
 * CDB: byte 2 RCTD(7) | REPORTING OPTIONS(2-0) | byte 3 REQUESTED OPERATION CODE
 *      | bytes 4-5 REQUESTED SERVICE ACTION | bytes 6-9 ALLOCATION LENGTH
 * all commands: bytes 0-3 COMMAND DATA LENGTH, then per command:
 *      byte 0 OPERATION CODE | bytes 2-3 SERVICE ACTION | byte 5 CTDP(1) SERVACTV(0) | bytes 6-7 CDB LENGTH
 *      [+ 12-byte command timeouts descriptor when CTDP]
 * one command: byte 1 CTDP(7) | SUPPORT(2-0) | bytes 2-3 CDB SIZE | bytes 4.. CDB USAGE DATA
 *      [+ command timeouts descriptor]
 * command timeouts descriptor: bytes 0-1 DESCRIPTOR LENGTH (0Ah) | byte 3 COMMAND SPECIFIC
 *      | bytes 4-7 NOMINAL COMMAND PROCESSING TIMEOUT | bytes 8-11 RECOMMENDED COMMAND TIMEOUT (0: not specified)
 * </pre>
 */
final class SupportedOperationCodes {
    static final int ALL_COMMANDS = 0b000;
    static final int ONE_OPCODE = 0b001;
    static final int ONE_OPCODE_AND_SERVICE_ACTION = 0b010;
    static final int ONE_OPCODE_MAYBE_SERVICE_ACTION = 0b011;
    static final int SUPPORT_NOT_SUPPORTED = 0b001;
    static final int SUPPORT_STANDARD = 0b011;
    static final int TIMEOUTS_LENGTH = 12;

    private SupportedOperationCodes() {
    }

    static void execute(ScsiCommand c) {
        boolean rctd = (c.cdb[2] & 0x80) != 0;
        int options = c.cdb[2] & 0x07;
        int opcode = Cdb.u8(c.cdb, 3);
        int serviceAction = Cdb.u16(c.cdb, 4);
        long allocationLength = Cdb.u32(c.cdb, 6);
        byte[] data = switch (options) {
            case ALL_COMMANDS -> all(c.lu, rctd);
            case ONE_OPCODE -> {
                if (CommandSet.hasServiceActions(opcode)) {
                    throw CheckCondition.invalidFieldInCdb(2, 2); // needs the service action form
                }
                yield one(c.lu, CommandSet.byOpcode(opcode), rctd);
            }
            case ONE_OPCODE_AND_SERVICE_ACTION -> {
                if (!CommandSet.hasServiceActions(opcode)) {
                    throw CheckCondition.invalidFieldInCdb(2, 2);
                }
                yield one(c.lu, serviceAction > 0x1F ? null : CommandSet.byServiceAction(opcode, serviceAction), rctd);
            }
            case ONE_OPCODE_MAYBE_SERVICE_ACTION -> one(c.lu, CommandSet.hasServiceActions(opcode)
                    ? (serviceAction > 0x1F ? null : CommandSet.byServiceAction(opcode, serviceAction))
                    : CommandSet.byOpcode(opcode), rctd);
            default -> throw CheckCondition.invalidFieldInCdb(2, 2);
        };
        c.dataIn(data, (int) Math.min(allocationLength, data.length));
    }

    static byte[] all(LunContext lu, boolean rctd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.writeBytes(new byte[4]);
        for (CommandSet.OpSpec s : CommandSet.ALL) {
            if (!s.supportedBy(lu)) {
                continue;
            }
            byte[] d = new byte[8];
            d[0] = (byte) s.opcode();
            if (s.hasServiceAction()) {
                Cdb.put16(d, 2, s.serviceAction());
            }
            d[5] = (byte) ((rctd ? 0x02 : 0) | (s.hasServiceAction() ? 0x01 : 0));
            Cdb.put16(d, 6, s.cdbLength());
            out.writeBytes(d);
            if (rctd) {
                out.writeBytes(timeouts());
            }
        }
        byte[] data = out.toByteArray();
        Cdb.put32(data, 0, data.length - 4);
        return data;
    }

    static byte[] one(LunContext lu, CommandSet.OpSpec s, boolean rctd) {
        if (s == null || !s.supportedBy(lu)) {
            byte[] d = new byte[4];
            d[1] = SUPPORT_NOT_SUPPORTED;
            return d;
        }
        byte[] usage = s.usage(lu);
        byte[] d = new byte[4 + usage.length + (rctd ? TIMEOUTS_LENGTH : 0)];
        d[1] = (byte) ((rctd ? 0x80 : 0) | SUPPORT_STANDARD);
        Cdb.put16(d, 2, usage.length);
        System.arraycopy(usage, 0, d, 4, usage.length);
        if (rctd) {
            System.arraycopy(timeouts(), 0, d, 4 + usage.length, TIMEOUTS_LENGTH);
        }
        return d;
    }

    private static byte[] timeouts() {
        byte[] t = new byte[TIMEOUTS_LENGTH];
        Cdb.put16(t, 0, TIMEOUTS_LENGTH - 2);
        return t;
    }
}
