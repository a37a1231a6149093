package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitStatistics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Collection;

/**
 * SMART / Health Information log, LID 02h (NVMe Base 2.0 5.16.1.3 Figure 207), controller-wide: the I/O counters
 * of every namespace the host sees. Ferry measures no temperature or wear, so those stay zero and spare is reported as full.
 */
public final class SmartLog {
    public static final int SIZE = 512;
    public static final int AVAILABLE_SPARE = 3;
    public static final int AVAILABLE_SPARE_THRESHOLD = 4;
    public static final int DATA_UNITS_READ = 32;
    public static final int DATA_UNITS_WRITTEN = 48;
    public static final int HOST_READ_COMMANDS = 64;
    public static final int HOST_WRITE_COMMANDS = 80;
    public static final int MEDIA_ERRORS = 160;

    private SmartLog() {
    }

    public static ByteBuf build(Collection<LogicalUnit> namespaces) {
        long readBytes = 0;
        long writeBytes = 0;
        long reads = 0;
        long writes = 0;
        long errors = 0;
        for (LogicalUnit u : namespaces) {
            UnitStatistics s = u.statistics();
            readBytes += s.readBytes();
            writeBytes += s.writeBytes();
            reads += s.reads();
            writes += s.writes();
            errors += s.errors();
        }
        ByteBuf b = Unpooled.buffer(SIZE, SIZE).writeZero(SIZE);
        b.setByte(AVAILABLE_SPARE, 100);
        b.setByte(AVAILABLE_SPARE_THRESHOLD, 10);
        // Data units are thousands of 512-byte units, rounded up (Figure 207); 128-bit fields, low half suffices.
        b.setLongLE(DATA_UNITS_READ, (readBytes / 512 + 999) / 1000);
        b.setLongLE(DATA_UNITS_WRITTEN, (writeBytes / 512 + 999) / 1000);
        b.setLongLE(HOST_READ_COMMANDS, reads);
        b.setLongLE(HOST_WRITE_COMMANDS, writes);
        b.setLongLE(MEDIA_ERRORS, errors);
        return b;
    }
}
