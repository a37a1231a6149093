package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.copy.CopyAdmission;
import dev.ferry.core.unit.copy.CopyJob;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The copy manager of one SCSI target device (SPC-4 5.17): how many EXTENDED COPY commands may run at once in it, and
 * the copy results it holds per I_T nexus and LIST IDENTIFIER for RECEIVE COPY RESULTS. A successor target (live
 * reconfiguration) keeps it. Thread-safe.
 *
 * <p>Results are held for one list identifier per value (0-255) per I_T nexus and dropped when the nexus is lost;
 * at most {@link ScsiTarget#MAX_VIEWS} nexuses have results held, so the memory a peer can make it keep is bounded.
 */
final class CopyManager {
    /** EXTENDED COPY commands running at once in one target (MAXIMUM CONCURRENT COPIES). */
    static final int MAX_CONCURRENT_COPIES = 4;
    static final int LIST_IDS = 256;

    final CopyAdmission admission = new CopyAdmission(MAX_CONCURRENT_COPIES);
    private final ConcurrentHashMap<ItNexus, Copy[]> byNexus = new ConcurrentHashMap<>();

    /**
     * One copy under a list identifier: running (its job is read live) or finished. Finished copies stay only if
     * their LIST ID USAGE asked for them to be held.
     */
    static final class Copy {
        final boolean held;
        final int segments;
        volatile CopyJob job;
        /** The answer the EXTENDED COPY command got, once finished: GOOD or the sense of a failed segment. */
        volatile byte[] failedSense;
        volatile boolean finished;

        Copy(boolean held, int segments) {
            this.held = held;
            this.segments = segments;
        }
    }

    /** The copy known under this list identifier for this nexus (running, or finished and held), or null. */
    Copy get(ItNexus nexus, int listId) {
        Copy[] copies = byNexus.get(nexus);
        return copies == null ? null : copies[listId];
    }

    /**
     * Registers a copy starting under {@code listId}; false when one with that list identifier is still running
     * (SPC-4 6.4.3: OPERATION IN PROGRESS). A finished held one is replaced. When too many nexuses hold results,
     * the copy runs without being registered (it cannot then be asked about).
     */
    synchronized boolean begin(ItNexus nexus, int listId, Copy copy) {
        Copy[] copies = byNexus.get(nexus);
        if (copies == null) {
            if (byNexus.size() >= ScsiTarget.MAX_VIEWS) {
                return true;
            }
            copies = new Copy[LIST_IDS];
            byNexus.put(nexus, copies);
        }
        Copy previous = copies[listId];
        if (previous != null && !previous.finished) {
            return false;
        }
        copies[listId] = copy;
        return true;
    }

    /** The copy finished; it stays only if held. */
    synchronized void end(ItNexus nexus, int listId, Copy copy) {
        copy.finished = true;
        Copy[] copies = byNexus.get(nexus);
        if (!copy.held && copies != null && copies[listId] == copy) {
            copies[listId] = null;
        }
    }

    /** FAILED SEGMENT DETAILS are discarded once transferred (SPC-4 6.26.5). */
    synchronized void discard(ItNexus nexus, int listId, Copy copy) {
        Copy[] copies = byNexus.get(nexus);
        if (copies != null && copies[listId] == copy) {
            copies[listId] = null;
        }
    }

    void forget(ItNexus nexus) {
        byNexus.remove(nexus);
    }
}
