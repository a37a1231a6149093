package dev.ferry.frontend.scsi;

import io.netty.buffer.ByteBuf;

/**
 * One SCSI command as a transport (iSCSI, later iSER) hands it to the command set. The transport implements this.
 *
 * <p>Contract: the transport collects all Data-Out for the command (immediate, unsolicited and solicited) before
 * calling {@link ScsiTarget#execute}; the command set then runs the CDB and calls {@link #complete} exactly once,
 * on the transport's event loop thread (the same thread that called execute), possibly before execute returns.
 */
public interface ScsiTask {

    /** The LUN as a 64-bit SAM LUN field value (single-level: LUN in bits 48-61 for LUN &lt; 16384). */
    long lun();

    /** The CDB; 16 bytes or longer (extended CDB). Bytes beyond the CDB's own length are ignored. */
    byte[] cdb();

    /** The initiator's Expected Data Transfer Length in bytes (for reads, the most it accepts). */
    int expectedTransferLength();

    /** All Data-Out bytes (readable), or null when the command carries none. Owned by the transport. */
    ByteBuf dataOut();

    TaskAttribute attribute();

    ItNexus nexus();

    /**
     * Called once with the outcome.
     *
     * @param response status, sense, Data-In (ownership passes to the transport) and residual; valid only during
     *                 this call (the command set reuses the object once it returns), so keep no reference to it
     */
    void complete(ScsiResponse response);

    /** True once the transport aborted the task (TMF); the command set may then skip remaining work. */
    boolean aborted();

    /**
     * Asks the transport to abort the tasks that the I_T nexuses {@code preempted} selects have on {@code lun} (a
     * decoded LUN), for PREEMPT AND ABORT (SPC-4 5.13.11.2.5). The Control mode page has TAS=1, so each of them
     * still completes, with TASK ABORTED status (SAM-5 5.6). A transport that cannot find them leaves them running.
     */
    default void abortTasksOf(long lun, java.util.function.Predicate<ItNexus> preempted) {
    }
}
