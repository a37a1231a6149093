package dev.ferry.frontend.scsi;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;

/**
 * The SCSI command set of one export: a SCSI target device with its logical units (SPC-4/SBC-3 emulation over the
 * core's units), unit attentions and reservations. Shared by every transport and connection serving the export;
 * thread-safe.
 */
public final class ScsiTarget {
    private final Export export;

    public ScsiTarget(Export export) {
        this.export = export;
    }

    public Export export() {
        return export;
    }

    /**
     * Executes one command. Block I/O goes to the core through {@code queue}, the calling event loop's completion
     * queue; {@link ScsiTask#complete} is called on that loop.
     */
    public void execute(ScsiTask task, CompletionQueue queue) {
        throw new UnsupportedOperationException("the SCSI command set is being written");
    }

    /** LOGICAL UNIT RESET (SAM-5 7.8) requested through {@code nexus}: clear RESERVE(6), set unit attentions. */
    public void logicalUnitReset(long lun, ItNexus nexus) {
        throw new UnsupportedOperationException("the SCSI command set is being written");
    }

    /** TARGET WARM RESET / COLD RESET: a logical unit reset of every unit. */
    public void targetReset(ItNexus nexus) {
        throw new UnsupportedOperationException("the SCSI command set is being written");
    }

    /** The I_T nexus ended (session closed or dropped): release what it held (RESERVE(6)). */
    public void nexusLost(ItNexus nexus) {
        throw new UnsupportedOperationException("the SCSI command set is being written");
    }

    /** Whether this LUN (SAM LUN field value) addresses an existing unit. */
    public boolean hasLun(long lun) {
        throw new UnsupportedOperationException("the SCSI command set is being written");
    }
}
