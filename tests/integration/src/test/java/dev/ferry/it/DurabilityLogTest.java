package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The crash test's judge: which reads of a disk break a durability promise and which do not. */
class DurabilityLogTest {
    private static final int BLOCK = StampedBlock.SIZE;

    @Test
    void aFuaWriteIsDurableAtOnceAndAPlainOneOnlyAfterAFlush() {
        DurabilityLog log = new DurabilityLog(16);
        long fua = log.issue();
        log.acknowledged(0, 2, fua, true);
        long plain = log.issue();
        log.acknowledged(4, 1, plain, false);
        byte[] disk = new byte[16 * BLOCK];
        // nothing reached the disk: the FUA write is lost, the plain one may be
        assertEquals(2, log.check(0, disk).violations().size());
        assertEquals(1, log.check(0, disk).nonDurableRolledBack());
        log.flushed();
        assertEquals(3, log.check(0, disk).violations().size());
        put(disk, StampedBlock.of(fua, 0, 2), 0);
        put(disk, StampedBlock.of(plain, 4, 1), 4);
        assertEquals(new DurabilityLog.Verdict(List.of(), 0), log.check(0, disk));
    }

    @Test
    void aLaterIssuedWriteMayReplaceADurableOneButNotAnOlderOrUnissuedOne() {
        DurabilityLog log = new DurabilityLog(4);
        long first = log.issue();
        log.acknowledged(1, 1, first, true);
        long inFlight = log.issue(); // issued, never acknowledged: it may have reached the disk
        byte[] disk = new byte[4 * BLOCK];
        put(disk, StampedBlock.of(inFlight, 1, 1), 1);
        assertTrue(log.check(0, disk).violations().isEmpty());
        put(disk, StampedBlock.of(inFlight + 1, 1, 1), 1);
        assertEquals(1, log.check(0, disk).violations().size(), "a write that was never issued");
    }

    @Test
    void tornAndMisdirectedBlocksAreViolations() {
        DurabilityLog log = new DurabilityLog(4);
        long seq = log.issue();
        log.acknowledged(0, 2, seq, true);
        byte[] disk = new byte[4 * BLOCK];
        put(disk, StampedBlock.of(seq, 0, 2), 0);
        disk[BLOCK + 100] ^= 1; // half of block 1 from elsewhere
        assertTrue(log.check(0, disk).violations().get(0).contains("torn"));
        put(disk, StampedBlock.of(seq, 1, 1), 0); // block 0 holds LBA 1's data
        put(disk, StampedBlock.of(seq, 1, 1), 1);
        assertTrue(log.check(0, disk).violations().get(0).contains("holds the block of LBA 1"));
    }

    private static void put(byte[] disk, byte[] blocks, int lba) {
        System.arraycopy(blocks, 0, disk, lba * BLOCK, blocks.length);
    }
}
