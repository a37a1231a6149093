package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.scsi.ScsiTask;
import dev.ferry.frontend.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * One SCSI command on a connection: collects its Data-Out (immediate, unsolicited, solicited through R2T) into
 * pooled buffers allocated burst by burst as the data is allowed to come, then runs in the command set with them
 * joined as one buffer and reports back to its connection.
 */
final class IscsiTask implements ScsiTask {
    enum State { COLLECTING, EXECUTING, DONE }

    /** One outstanding R2T (RFC 7143 11.8): what the initiator still owes for this Target Transfer Tag. */
    static final class R2t {
        final int ttt;
        final int offset;
        final int length;
        int received;
        /** DataSN starts at 0 for each R2T's sequence (RFC 7143 11.7.5). */
        int nextDataSn;

        R2t(int ttt, int offset, int length) {
            this.ttt = ttt;
            this.offset = offset;
            this.length = length;
        }
    }

    final IscsiConnection connection;
    final int itt;
    final int cmdSn;
    final long lun;
    final byte[] cdb;
    final int expectedLength;
    final TaskAttribute attribute;
    final ItNexus nexus;

    State state = State.COLLECTING;
    /** Aborted by a TMF of this initiator: no response. */
    boolean aborted;
    /** Aborted by another initiator's PREEMPT AND ABORT: completes with TASK ABORTED (TAS=1). */
    boolean preempted;
    /** The Data-Out the command set sees: set when the task runs, from {@link #chunks}. */
    ByteBuf dataOut;
    /**
     * Buffers for the data allowed so far, by buffer offset: the unsolicited burst (allocated when its first byte
     * arrives) and one per R2T (allocated when the R2T goes out). They never overlap.
     */
    final TreeMap<Integer, ByteBuf> chunks = new TreeMap<>();
    /** Bytes reserved in the connection's write-buffer budget (the whole write); 0 until admitted. */
    long reserved;
    /** Whether this write may take buffers and be sent R2Ts: its length fit the connection's budget. */
    boolean admitted;
    /** Bytes of Data-Out received so far. */
    int received;
    /** Data-Out beyond this offset must be solicited. */
    int unsolicitedEnd;
    /** Next DataSN and offset expected in the unsolicited sequence. */
    int unsolicitedDataSn;
    int unsolicitedOffset;
    /** Next offset to solicit with an R2T. */
    int nextR2tOffset;
    /** DataSN / R2TSN counter: Data-In and R2T PDUs share it (RFC 7143 11.7.5, 11.8.2). */
    int sn;
    final ArrayDeque<R2t> r2ts = new ArrayDeque<>(2);

    IscsiTask(IscsiConnection connection, int itt, int cmdSn, long lun, byte[] cdb, int expectedLength,
              TaskAttribute attribute, ItNexus nexus) {
        this.connection = connection;
        this.itt = itt;
        this.cmdSn = cmdSn;
        this.lun = lun;
        this.cdb = cdb;
        this.expectedLength = expectedLength;
        this.attribute = attribute;
        this.nexus = nexus;
    }

    /** The buffer holding {@code offset}, or null when no burst covering it was allowed yet. */
    ByteBuf chunkAt(int offset) {
        Map.Entry<Integer, ByteBuf> e = chunks.floorEntry(offset);
        return e != null && offset < e.getKey() + e.getValue().capacity() ? e.getValue() : null;
    }

    R2t r2t(int ttt) {
        for (R2t r : r2ts) {
            if (r.ttt == ttt) {
                return r;
            }
        }
        return null;
    }

    @Override public long lun() { return lun; }
    @Override public byte[] cdb() { return cdb; }
    @Override public int expectedTransferLength() { return expectedLength; }
    @Override public ByteBuf dataOut() { return dataOut; }
    @Override public TaskAttribute attribute() { return attribute; }
    @Override public ItNexus nexus() { return nexus; }
    @Override public boolean aborted() { return aborted || preempted; }

    @Override
    public void abortTasksOf(long lun, java.util.function.Predicate<ItNexus> preempted) {
        connection.tmf.abortTasksOf(lun, preempted);
    }

    @Override
    public void complete(ScsiResponse response) {
        connection.commands.completed(this, response);
    }

    @Override
    public String toString() {
        return "task{itt=0x" + Integer.toHexString(itt) + ", cmdSN=" + Integer.toUnsignedString(cmdSn) + ", op=0x"
                + Integer.toHexString(cdb[0] & 0xff) + ", lun=" + lun + ", " + state + (aborted ? ", aborted" : "") + "}";
    }
}
