package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.scsi.ScsiTask;
import dev.ferry.frontend.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * One SCSI command on a connection: collects its Data-Out (immediate, unsolicited, solicited through R2T) into
 * pooled buffers allocated burst by burst as the data is allowed to come, then runs in the command set with them
 * joined as one buffer and reports back to its connection. A task object is reused for later commands of its
 * connection once its command completed ({@link TaskTable}), so it keeps its arrays.
 */
final class IscsiTask implements ScsiTask {
    enum State { COLLECTING, EXECUTING, DONE }

    /** One outstanding R2T (RFC 7143 11.8): what the initiator still owes for this Target Transfer Tag. */
    static final class R2t {
        int ttt;
        int offset;
        int length;
        int received;
        /** DataSN starts at 0 for each R2T's sequence (RFC 7143 11.7.5). */
        int nextDataSn;
    }

    /** SAM-5 CDBs are 16 bytes unless an Extended CDB AHS makes them longer. */
    static final int CDB_LENGTH = 16;
    /** R2T slots a reused task keeps (more came from one large write). */
    private static final int SMALL = 16;

    final IscsiConnection connection;
    int itt;
    int cmdSn;
    long lun;
    /** The CDB: this task's own 16-byte array, or a longer one for an extended CDB. */
    byte[] cdb;
    private final byte[] cdb16 = new byte[CDB_LENGTH];
    int expectedLength;
    TaskAttribute attribute;
    ItNexus nexus;

    State state;
    /** Aborted by a TMF of this initiator: no response. */
    boolean aborted;
    /** Aborted by another initiator's PREEMPT AND ABORT: completes with TASK ABORTED (TAS=1). */
    boolean preempted;
    /** The Data-Out the command set sees: set when the task runs, from the chunks. */
    ByteBuf dataOut;
    /** Buffers for the data allowed so far (the unsolicited burst's and one per R2T). */
    final WriteChunks chunks = new WriteChunks();
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
    /** The outstanding R2Ts are the first {@link #r2tCount}; the rest are kept for reuse. */
    int r2tCount;
    R2t[] r2ts = new R2t[0];

    IscsiTask(IscsiConnection connection) {
        this.connection = connection;
    }

    /** Starts the task over for a new command; the CDB is to be filled into {@link #cdb(int)}. */
    void init(int itt, int cmdSn, long lun, int expectedLength, TaskAttribute attribute, ItNexus nexus) {
        this.itt = itt;
        this.cmdSn = cmdSn;
        this.lun = lun;
        this.expectedLength = expectedLength;
        this.attribute = attribute;
        this.nexus = nexus;
        state = State.COLLECTING;
        aborted = false;
        preempted = false;
        dataOut = null;
        reserved = 0;
        admitted = false;
        received = 0;
        unsolicitedEnd = 0;
        unsolicitedDataSn = 0;
        unsolicitedOffset = 0;
        nextR2tOffset = 0;
        sn = 0;
        r2tCount = 0;
    }

    /** Lets go of what a large write made this task grow before it waits for reuse (a peer chooses those sizes). */
    void trim() {
        cdb = cdb16;
        dataOut = null;
        nexus = null;
        if (r2ts.length > SMALL) {
            r2ts = new R2t[0];
        }
    }

    /** The CDB array for a CDB of {@code length} bytes: this task's own unless an extended CDB needs more. */
    byte[] cdb(int length) {
        cdb = length <= CDB_LENGTH ? cdb16 : new byte[length];
        return cdb;
    }

    /** A new outstanding R2T (the object is reused). */
    R2t addR2t(int ttt, int offset, int length) {
        if (r2tCount == r2ts.length) {
            r2ts = Arrays.copyOf(r2ts, Math.max(2, r2tCount * 2));
        }
        R2t r = r2ts[r2tCount];
        if (r == null) {
            r = r2ts[r2tCount] = new R2t();
        }
        r.ttt = ttt;
        r.offset = offset;
        r.length = length;
        r.received = 0;
        r.nextDataSn = 0;
        r2tCount++;
        return r;
    }

    R2t r2t(int ttt) {
        for (int i = 0; i < r2tCount; i++) {
            if (r2ts[i].ttt == ttt) {
                return r2ts[i];
            }
        }
        return null;
    }

    /** The R2T is satisfied: its slot moves past the outstanding ones. */
    void removeR2t(R2t r) {
        for (int i = 0; i < r2tCount; i++) {
            if (r2ts[i] == r) {
                r2ts[i] = r2ts[--r2tCount];
                r2ts[r2tCount] = r;
                return;
            }
        }
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
