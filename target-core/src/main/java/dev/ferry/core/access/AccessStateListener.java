package dev.ferry.core.access;

/**
 * A frontend that tells its initiators when an export's access states change: SCSI raises the unit attention
 * ASYMMETRIC ACCESS STATE CHANGED (SPC-4 5.15.2.5), NVMe the ANA Change asynchronous event (Base 2.0 8.1.4).
 */
public interface AccessStateListener {

    /**
     * The groups of {@code groups}' export changed state or membership; called on the thread that made the change.
     *
     * @param origin what made the change when an initiator did (the SCSI I_T nexus of a SET TARGET PORT GROUPS,
     *               which gets no unit attention for it), or null for the administrator
     */
    void accessStateChanged(AccessGroups groups, Object origin);
}
