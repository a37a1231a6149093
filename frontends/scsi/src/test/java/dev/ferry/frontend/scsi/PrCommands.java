package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.unit.reservation.ReservationType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** PERSISTENT RESERVE IN/OUT as an initiator sends them (the layouts of SPC-4 6.15 and 6.16), over a harness. */
final class PrCommands {
    final TargetHarness h;

    PrCommands(TargetHarness h) {
        this.h = h;
    }

    static byte[] proutCdb(int serviceAction, int scopeType, int listLength) {
        return cdb(0x5F, serviceAction, scopeType, 0, 0, listLength >>> 24, listLength >>> 16, listLength >>> 8,
                listLength, 0);
    }

    static byte[] basicList(long rk, long sark, int byte20) {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.putLong(0, rk).putLong(8, sark).put(20, (byte) byte20);
        return b.array();
    }

    TargetHarness.Response prout(ItNexus n, int serviceAction, int type, long rk, long sark, int byte20) {
        return prout(n, proutCdb(serviceAction, type, 24), basicList(rk, sark, byte20));
    }

    TargetHarness.Response prout(ItNexus n, byte[] cdb, byte[] list) {
        return h.run(n, 0, cdb, list.length, list);
    }

    TargetHarness.Response register(ItNexus n, long rk, long sark) {
        return prout(n, PrOutCommand.REGISTER, 0, rk, sark, 0);
    }

    TargetHarness.Response registerIgnore(ItNexus n, long sark) {
        return prout(n, PrOutCommand.REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0, sark, 0);
    }

    TargetHarness.Response reserve(ItNexus n, long rk, ReservationType t) {
        return prout(n, PrOutCommand.RESERVE, t.code, rk, 0, 0);
    }

    TargetHarness.Response release(ItNexus n, long rk, ReservationType t) {
        return prout(n, PrOutCommand.RELEASE, t.code, rk, 0, 0);
    }

    TargetHarness.Response clear(ItNexus n, long rk) {
        return prout(n, PrOutCommand.CLEAR, 0, rk, 0, 0);
    }

    TargetHarness.Response preempt(ItNexus n, long rk, long sark, ReservationType t) {
        return prout(n, PrOutCommand.PREEMPT, t.code, rk, sark, 0);
    }

    TargetHarness.Response prin(ItNexus n, int serviceAction, int allocationLength) {
        return h.run(n, 0, cdb(0x5E, serviceAction, 0, 0, 0, 0, 0, allocationLength >>> 8, allocationLength, 0),
                allocationLength, null);
    }

    /** READ KEYS: PRgeneration, then the keys. */
    record Keys(long generation, List<Long> keys) {
    }

    Keys readKeys(ItNexus n) {
        byte[] d = prin(n, PrInCommand.READ_KEYS, 4096).assertGood().data();
        ByteBuffer b = ByteBuffer.wrap(d);
        int length = b.getInt(4);
        assertEquals(d.length - 8, length, "ADDITIONAL LENGTH");
        List<Long> keys = new ArrayList<>();
        for (int at = 8; at < d.length; at += 8) {
            keys.add(b.getLong(at));
        }
        return new Keys(b.getInt(0) & 0xFFFFFFFFL, keys);
    }

    /** READ RESERVATION: null when not reserved, else {key, type}. */
    long[] readReservation(ItNexus n) {
        byte[] d = prin(n, PrInCommand.READ_RESERVATION, 4096).assertGood().data();
        ByteBuffer b = ByteBuffer.wrap(d);
        if (b.getInt(4) == 0) {
            assertEquals(8, d.length);
            return null;
        }
        assertEquals(16, b.getInt(4));
        assertEquals(24, d.length);
        assertEquals(0, d[21] >>> 4, "LU_SCOPE");
        return new long[] {b.getLong(8), d[21] & 0x0F};
    }
}
