package dev.ferry.backend.ata;

import dev.ferry.backend.scsi.ScsiBackend;
import dev.ferry.backend.scsi.ScsiBackendFactory;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside the initiator VM (see PassthroughInGuestTest): opens the emulated SCSI disk with the scsi backend
 * and the emulated ATA disk with the ata backend, each through a LogicalUnit, and prints one FERRY-GUEST line per
 * check for the host test to assert on. Kept small: Java under TCG is about nine times slower.
 *
 * <p>Usage: {@code PassthroughGuestMain SCSI_NODE ATA_NODE}
 */
public final class PassthroughGuestMain {
    private PassthroughGuestMain() {
    }

    public static void main(String[] args) throws Exception {
        for (var d : new dev.ferry.backend.block.DeviceInventory().devices()) {
            System.out.printf("FERRY-GUEST device %s model=%s serial=%s size=%d backends=%s%n", d.path(), d.model(),
                    d.serial(), d.sizeBytes(), String.join(",", d.backends()));
        }
        exercise("scsi", new ScsiBackendFactory(), args[0]);
        exercise("ata", new AtaBackendFactory(), args[1]);
        System.out.println("FERRY-GUEST done");
    }

    private static void exercise(String type, BackendFactory factory, String node) throws Exception {
        BackstoreConfig config = new BackstoreConfig(type + "0", type, null, node, null, null, null, null, 1, null);
        if (!factory.validate(config).isEmpty()) {
            throw new IllegalStateException(factory.validate(config).toString());
        }
        Backend backend = factory.open(config);
        LogicalUnit unit = new LogicalUnit(backend, backend.workers());
        unit.start();
        try {
            var d = unit.descriptor();
            if (backend instanceof ScsiBackend s) {
                var inq = s.device().inquiry();
                System.out.printf("FERRY-GUEST scsi identity vendor=%s product=%s serial=%s designator=%s size=%d lbs=%d unmap=%s%n",
                        inq.vendor(), inq.product(), s.device().serial(), s.device().designator(), d.capacityBytes(),
                        d.logicalBlockSize(), d.discard());
            } else {
                AtaIdentify id = ((AtaBackend) backend).identify();
                System.out.printf("FERRY-GUEST ata identity model=%s serial=%s firmware=%s size=%d lbs=%d pbs=%d trim=%s wcache=%s fua=%s%n",
                        id.model(), id.serial(), id.firmware(), d.capacityBytes(), d.logicalBlockSize(),
                        d.physicalBlockSize(), id.trim(), d.volatileWriteCache(), id.fua());
            }
            int bs = d.logicalBlockSize();
            byte[] data = new byte[64 * 1024];
            new Random(type.hashCode()).nextBytes(data);
            int blocks = data.length / bs;
            // Direct (in-place) write with FUA, heap (bounced) read back.
            ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
            check(type, "write-fua", run(unit, BlockOp.WRITE, 2048, blocks, direct, true), CompletionStatus.GOOD);
            ByteBuf back = Unpooled.buffer(data.length);
            check(type, "read", run(unit, BlockOp.READ, 2048, blocks, back, false), CompletionStatus.GOOD);
            check(type, "compare", Arrays.equals(data, bytes(back)));
            byte[] next = Arrays.copyOfRange(data, data.length - bs, data.length);
            ByteBuf caw = Unpooled.wrappedBuffer(Arrays.copyOf(data, bs), next);
            check(type, "compare-and-write", run(unit, BlockOp.COMPARE_AND_WRITE, 2048, 1, caw, false),
                    CompletionStatus.GOOD);
            ByteBuf stale = Unpooled.wrappedBuffer(Arrays.copyOf(data, bs), next);
            check(type, "compare-and-write-miscompare", run(unit, BlockOp.COMPARE_AND_WRITE, 2048, 1, stale, false),
                    CompletionStatus.MISCOMPARE);
            check(type, "flush", run(unit, BlockOp.FLUSH, 0, 0, null, false), CompletionStatus.GOOD);
            CompletionStatus trim = d.discard() ? run(unit, BlockOp.UNMAP, 0, 0, null, false, 2048 + blocks / 2, blocks / 2)
                    : CompletionStatus.UNSUPPORTED;
            System.out.println("FERRY-GUEST " + type + " unmap " + trim);
            check(type, "write-zeroes", run(unit, BlockOp.WRITE_ZEROES, 4096, 8, null, false), CompletionStatus.GOOD);
            ByteBuf zeroes = Unpooled.directBuffer(8 * bs);
            run(unit, BlockOp.READ, 4096, 8, zeroes, false);
            check(type, "zeroes-read-back", Arrays.equals(new byte[8 * bs], bytes(zeroes)));
            check(type, "out-of-range", run(unit, BlockOp.READ, d.capacityBlocks(), 1, Unpooled.buffer(bs), false),
                    CompletionStatus.LBA_OUT_OF_RANGE);
        } finally {
            unit.close();
        }
    }

    private static CompletionStatus run(LogicalUnit unit, BlockOp op, long lba, int blocks, ByteBuf data,
            boolean fua, long... range) throws Exception {
        CompletableFuture<CompletionStatus> done = new CompletableFuture<>();
        CompletionQueue q = new CompletionQueue(Runnable::run, 1);
        BlockRequest r = q.acquire().set(op, lba, blocks, data, req -> {
            req.takeData();
            done.complete(req.status());
            req.release();
        }, null).fua(fua);
        if (range.length == 2) {
            r.addRange(range[0], (int) range[1]);
        }
        unit.submit(r);
        return done.get(60, TimeUnit.SECONDS);
    }

    private static void check(String type, String what, CompletionStatus got, CompletionStatus want) {
        check(type, what + "=" + got, got == want);
    }

    private static void check(String type, String what, boolean ok) {
        System.out.println("FERRY-GUEST " + type + " " + what + (ok ? " OK" : " FAILED"));
        if (!ok) {
            throw new IllegalStateException(type + " " + what + " failed");
        }
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
