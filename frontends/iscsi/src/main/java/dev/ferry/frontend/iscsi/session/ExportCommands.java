package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.ScsiTarget;
import dev.ferry.frontend.scsi.ScsiTask;
import java.util.function.Function;

/**
 * What a connection calls on the SCSI command set of an export: {@link ScsiTarget} in production, a scripted fake
 * in transport tests.
 */
public interface ExportCommands {
    void execute(ScsiTask task, CompletionQueue queue);

    void logicalUnitReset(long lun, ItNexus nexus);

    void targetReset(ItNexus nexus);

    void nexusLost(ItNexus nexus);

    /** Whether the LUN addresses a unit the nexus's initiator sees (task management answers for no other). */
    boolean hasLun(long lun, ItNexus nexus);

    /** Whether the command would read its Data-Out (asked before any write buffer is taken for it). */
    boolean acceptsDataOut(ScsiTask task);

    /**
     * The command set after the export's LUN map changed. A scripted fake starts afresh from {@code fresh}; the
     * SCSI target carries its nexuses and unchanged units over and tells connected initiators to rescan.
     */
    default ExportCommands successor(Export next, Function<Export, ExportCommands> fresh) {
        return fresh.apply(next);
    }

    /** A unit was resized: the SCSI target tells each nexus on the LUNs that map it; a scripted fake ignores it. */
    default void capacityChanged(LogicalUnit unit) {
    }

    /** The export's access states changed: the SCSI target raises ASYMMETRIC ACCESS STATE CHANGED; a fake ignores it. */
    default void accessStateChanged(Object origin) {
    }

    static ExportCommands of(ScsiTarget t) {
        return new ExportCommands() {
            @Override public ExportCommands successor(Export next, Function<Export, ExportCommands> fresh) {
                return of(t.successor(next));
            }
            @Override public void execute(ScsiTask task, CompletionQueue queue) { t.execute(task, queue); }
            @Override public void logicalUnitReset(long lun, ItNexus nexus) { t.logicalUnitReset(lun, nexus); }
            @Override public void targetReset(ItNexus nexus) { t.targetReset(nexus); }
            @Override public void nexusLost(ItNexus nexus) { t.nexusLost(nexus); }
            @Override public boolean hasLun(long lun, ItNexus nexus) { return t.hasLun(lun, nexus); }
            @Override public boolean acceptsDataOut(ScsiTask task) { return t.acceptsDataOut(task); }
            @Override public void capacityChanged(LogicalUnit unit) { t.capacityChanged(unit); }
            @Override public void accessStateChanged(Object origin) { t.accessStateChanged(origin); }
        };
    }
}
