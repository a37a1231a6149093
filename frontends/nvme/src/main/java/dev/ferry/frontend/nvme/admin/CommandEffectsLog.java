package dev.ferry.frontend.nvme.admin;

import dev.ferry.frontend.nvme.spec.Opcodes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Commands Supported and Effects log, LID 05h (NVMe Base 2.0 5.16.1.6 Figures 210/211): 256 admin then 256 I/O
 * command entries of 4 bytes. CSUPP bit 0 supported, LBCC bit 1 may change logical block content.
 */
public final class CommandEffectsLog {
    public static final int SIZE = 4096;
    public static final int IO_COMMANDS = 1024;
    static final int CSUPP = 1;
    static final int LBCC = 1 << 1;

    private CommandEffectsLog() {
    }

    public static ByteBuf build() {
        ByteBuf b = Unpooled.buffer(SIZE, SIZE).writeZero(SIZE);
        for (int opc : new int[] {Opcodes.GET_LOG_PAGE, Opcodes.IDENTIFY, Opcodes.ABORT, Opcodes.SET_FEATURES,
                Opcodes.GET_FEATURES, Opcodes.ASYNC_EVENT_REQUEST, Opcodes.KEEP_ALIVE}) {
            b.setIntLE(4 * opc, CSUPP);
        }
        b.setIntLE(IO_COMMANDS + 4 * Opcodes.FLUSH, CSUPP);
        b.setIntLE(IO_COMMANDS + 4 * Opcodes.READ, CSUPP);
        b.setIntLE(IO_COMMANDS + 4 * Opcodes.COMPARE, CSUPP);
        b.setIntLE(IO_COMMANDS + 4 * Opcodes.WRITE, CSUPP | LBCC);
        b.setIntLE(IO_COMMANDS + 4 * Opcodes.WRITE_ZEROES, CSUPP | LBCC);
        b.setIntLE(IO_COMMANDS + 4 * Opcodes.DATASET_MANAGEMENT, CSUPP | LBCC);
        for (int opc : new int[] {Opcodes.RESERVATION_REGISTER, Opcodes.RESERVATION_REPORT,
                Opcodes.RESERVATION_ACQUIRE, Opcodes.RESERVATION_RELEASE}) {
            b.setIntLE(IO_COMMANDS + 4 * opc, CSUPP);
        }
        b.setIntLE(IO_COMMANDS + 4 * Opcodes.COPY, CSUPP | LBCC);
        return b;
    }
}
