package dev.ferry.frontend.iscsi;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.frontend.iscsi.session.ExportCommands;
import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.scsi.ScsiTask;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted command set for transport tests: READ(10)/WRITE(10) on a 1 MiB array, opcode C0h held until
 * {@link #releaseHeld}, C1h answers CHECK CONDITION with sense, C2h throws OutOfMemoryError, everything else GOOD.
 */
final class FakeCommandSet implements ExportCommands {
    static final int HOLD = 0xc0;
    static final int FAIL = 0xc1;
    /** Opcode whose execution throws an Error, as a failed allocation would. */
    static final int THROW_ERROR = 0xc2;
    final byte[] disk = new byte[1 << 20];
    final List<Integer> executedOpcodes = new CopyOnWriteArrayList<>();
    final List<Integer> cdbLengths = new CopyOnWriteArrayList<>();
    final List<Long> executedLbas = new CopyOnWriteArrayList<>();
    final List<ScsiTask> held = new CopyOnWriteArrayList<>();
    volatile EventExecutor heldLoop;
    final AtomicInteger luResets = new AtomicInteger();
    final AtomicInteger targetResets = new AtomicInteger();
    final List<ItNexus> lost = new CopyOnWriteArrayList<>();

    @Override
    public void execute(ScsiTask task, CompletionQueue queue) {
        byte[] cdb = task.cdb();
        int op = cdb[0] & 0xff;
        executedOpcodes.add(op);
        cdbLengths.add(cdb.length);
        ByteBuffer b = ByteBuffer.wrap(cdb);
        switch (op) {
            case 0x28 -> {
                long lba = b.getInt(2) & 0xffffffffL;
                int blocks = b.getShort(7) & 0xffff;
                executedLbas.add(lba);
                int len = blocks * 512;
                int send = Math.min(len, task.expectedTransferLength());
                ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(send);
                data.writeBytes(disk, (int) lba * 512, send);
                task.complete(new ScsiResponse(ScsiResponse.GOOD, null, data, task.expectedTransferLength() - len));
            }
            case 0x2a -> {
                long lba = b.getInt(2) & 0xffffffffL;
                executedLbas.add(lba);
                ByteBuf d = task.dataOut();
                int n = d == null ? 0 : d.readableBytes();
                if (n > 0) {
                    d.getBytes(d.readerIndex(), disk, (int) lba * 512, n);
                }
                task.complete(new ScsiResponse(ScsiResponse.GOOD, null, null, 0));
            }
            case HOLD -> {
                heldLoop = ThreadExecutorMap.currentExecutor();
                held.add(task);
            }
            case THROW_ERROR -> throw new OutOfMemoryError("test: direct buffer memory");
            case FAIL -> {
                byte[] sense = new byte[18];
                sense[0] = 0x70;
                sense[2] = 0x05;
                sense[7] = 10;
                sense[12] = 0x24;
                task.complete(new ScsiResponse(ScsiResponse.CHECK_CONDITION, sense, null, 0));
            }
            default -> task.complete(new ScsiResponse(ScsiResponse.GOOD, null, null, 0));
        }
    }

    void releaseHeldIfAny() {
        if (!held.isEmpty()) {
            releaseHeld();
        }
    }

    /** Completes every held task on its loop (as a backend completion would). */
    void releaseHeld() {
        EventExecutor loop = heldLoop;
        for (ScsiTask t : held) {
            Runnable r = () -> t.complete(new ScsiResponse(t.aborted() ? ScsiResponse.TASK_ABORTED : ScsiResponse.GOOD,
                    null, null, 0));
            if (loop == null) {
                r.run(); // EmbeddedChannel: the test thread is the loop
            } else {
                loop.execute(r);
            }
        }
        held.clear();
    }

    @Override
    public void logicalUnitReset(long lun, ItNexus nexus) {
        luResets.incrementAndGet();
    }

    @Override
    public void targetReset(ItNexus nexus) {
        targetResets.incrementAndGet();
    }

    @Override
    public void nexusLost(ItNexus nexus) {
        lost.add(nexus);
    }

    @Override
    public boolean hasLun(long lun, ItNexus nexus) {
        long l = (lun >>> 48) & 0x3fff;
        return l == 0 || l == 1;
    }

    @Override
    public boolean acceptsDataOut(ScsiTask task) {
        return hasLun(task.lun(), task.nexus());
    }
}
