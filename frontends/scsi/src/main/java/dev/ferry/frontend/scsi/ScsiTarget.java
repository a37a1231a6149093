package dev.ferry.frontend.scsi;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCSI command set of one export: a SCSI target device with its logical units (SPC-4/SBC-3 emulation over the
 * core's units), unit attentions and reservations. Shared by every transport and connection serving the export;
 * thread-safe.
 *
 * <p>Order of checks for a command (SAM-5 5.14 / SPC-4 5.14, as LIO orders them): LUN validity, pending unit
 * attention, operation code, reserved CDB bits, reservation conflict (RESERVE(6), then persistent reservations),
 * write protection, then the command itself. Persistent reservations outlive resets and I_T nexus loss
 * (SPC-4 5.13.3); RESERVE(6) reservations do not.
 *
 * <p><b>New I_T nexuses start without a unit attention.</b> SAM-5's events clause establishes POWER ON, RESET, OR
 * BUS DEVICE RESET OCCURRED (29h/00h) for the I_T nexuses that exist when the power-on or hard-reset event happens,
 * and I_T NEXUS LOSS OCCURRED (29h/07h) for a nexus that was lost; SPC-4 5.14 keeps unit attentions per I_T nexus.
 * An I_T nexus first formed by a login long after the target started has seen neither event, so no condition is
 * owed to it. LIO does not report one either; Linux and libiscsi would cope with one, but the jSCSI initiator
 * gives up when its first command after login returns a unit attention. A nexus's conditions begin with the first
 * command it sends; {@link #nexusLost} drops them (a later login is a new nexus and starts clean, as with LIO).
 */
public final class ScsiTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiTarget.class);
    /** Flat space addressing reaches LUN 16383 (SAM-5 4.7.7.4). */
    static final long MAX_LUN = 0x3FFF;

    /** Views kept at most, a safety net: each nexus's view is dropped when it is lost ({@link #nexusLost}). */
    static final int MAX_VIEWS = 4096;

    private final Export export;
    private final NavigableMap<Long, LunContext> luns;
    /** {@link #luns} as a table indexed by LUN, for the per-command lookup. */
    private final LunContext[] byLun;
    /** What each nexus that sent a command sees of this target; a successor target starts without any. */
    private final ConcurrentHashMap<ItNexus, NexusView> views = new ConcurrentHashMap<>();
    /** Every I_T nexus that sent a command and was not lost: unit attentions are established for these. */
    private final Set<ItNexus> nexuses;
    /** Every target port a nexus formed on, by relative target port identifier (REPORT TARGET PORT GROUPS). */
    private final Map<Integer, ScsiPort> ports;
    /** EXTENDED COPY's admission and held copy results; kept by a successor. */
    private final CopyManager copies;
    /**
     * The SCSI target device of an export. Persistent reservations (and their APTPL file) belong to each core
     * unit, so every target exporting a unit sees the same ones.
     */
    public ScsiTarget(Export export) {
        this(export, Map.of(), ConcurrentHashMap.newKeySet(), new ConcurrentSkipListMap<>(), new CopyManager());
    }

    private ScsiTarget(Export export, Map<Long, LunContext> previous, Set<ItNexus> nexuses,
                       Map<Integer, ScsiPort> ports, CopyManager copies) {
        this.export = export;
        this.nexuses = nexuses;
        this.ports = ports;
        this.copies = copies;
        NavigableMap<Long, LunContext> m = new TreeMap<>();
        for (Map.Entry<Long, LogicalUnit> e : export.units().entrySet()) {
            if (e.getKey() < 0 || e.getKey() > MAX_LUN) {
                LOG.warn("{}: LUN {} cannot be addressed with single-level LUNs (0-{}), not exported",
                        export.name(), e.getKey(), MAX_LUN);
                continue;
            }
            LunContext kept = previous.get(e.getKey());
            m.put(e.getKey(), kept != null && kept.unit == e.getValue() ? kept
                    : new LunContext(e.getKey(), e.getValue(), nexuses));
        }
        this.luns = Collections.unmodifiableNavigableMap(m);
        this.byLun = new LunContext[m.isEmpty() ? 0 : (int) (m.lastKey() + 1)];
        m.forEach((lun, lu) -> byLun[lun.intValue()] = lu);
    }

    /**
     * The same SCSI target device after its LUN map changed (a live reconfiguration): the I_T nexuses, target
     * ports and every unit still at the same LUN keep their state (reservations, unit attentions, mode pages),
     * and every nexus gets REPORTED LUNS DATA HAS CHANGED (SPC-4 6.33: established when the logical unit
     * inventory changes) so that connected initiators rescan. Callers switch to the successor for new commands.
     * What each nexus sees is worked out anew from {@code next}'s ACLs.
     */
    public ScsiTarget successor(Export next) {
        ScsiTarget t = new ScsiTarget(next, luns, nexuses, ports, copies);
        t.reportedLunsChanged();
        return t;
    }

    public Export export() {
        return export;
    }

    /**
     * Executes one command. Block I/O goes to the core through {@code queue}, the calling event loop's completion
     * queue; {@link ScsiTask#complete} is called on that loop.
     */
    public void execute(ScsiTask task, CompletionQueue queue) {
        long lun = Luns.decode(task.lun());
        NexusView view = view(task.nexus());
        ScsiCommand c = ScsiCommand.start(this, task, queue, view, unit(view, lun), lun);
        try {
            dispatch(c);
        } catch (CheckCondition cc) {
            c.checkCondition(cc.sense());
        } catch (RuntimeException e) {
            LOG.error("SCSI command {} failed", hex(c.cdb), e);
            c.checkCondition(SenseData.internalTargetFailure());
        } finally {
            c.release();
        }
    }

    private void dispatch(ScsiCommand c) {
        byte[] cdb = c.cdb;
        if (cdb.length < 6) {
            throw CheckCondition.invalidFieldInCdb(0, -1);
        }
        CommandSet.OpSpec spec = CommandSet.lookup(cdb);
        LunContext lu = c.lu;
        if (lu == null) {
            boolean wlun = c.lun == Luns.REPORT_LUNS_WLUN;
            if (spec == null || !spec.is(wlun ? CommandSet.WLUN : CommandSet.NO_LU)) {
                // The REPORT LUNS W-LUN (SPC-4 8.2) serves a few commands. An incorrect LUN serves only INQUIRY
                // (qualifier 011b, SPC-4 6.6.2), REPORT LUNS (6.33) and REQUEST SENSE (6.39); everything else is
                // LOGICAL UNIT NOT SUPPORTED, and no unit attention applies since there is no logical unit.
                throw new CheckCondition(wlun ? unknownCommand(cdb) : SenseData.logicalUnitNotSupported());
            }
        } else {
            if (!nexuses.contains(c.nexus)) {
                nexuses.add(c.nexus);
                if (c.nexus.port() != null) {
                    ports.putIfAbsent(c.nexus.port().relativePortId(), c.nexus.port());
                }
            }
            lu.claim(c.nexus);
            if (spec == null || !spec.is(CommandSet.NO_UA)) {
                UnitAttention ua = lu.attentions(c.nexus).take();
                if (ua != null) {
                    c.checkCondition(ua.sense());
                    return;
                }
            }
            if (spec == null || !spec.supportedBy(lu)) {
                throw new CheckCondition(unknownCommand(cdb));
            }
        }
        if (cdb.length < spec.cdbLength()) {
            throw CheckCondition.invalidFieldInCdb(0, -1);
        }
        spec.checkReservedBits(cdb, lu);
        if (lu != null) {
            AsymmetricAccess.check(c, spec);
            if ((!spec.is(CommandSet.RESERVATION_OK) && lu.reservedByOther(c.view.registrant()))
                    || ReservationConflicts.conflicts(spec, cdb, lu.reservations.state(), c.view.registrant())) {
                c.status(ScsiResponse.RESERVATION_CONFLICT);
                return;
            }
            if (spec.is(CommandSet.MEDIUM_WRITE) && lu.writeProtected()) {
                throw new CheckCondition(SenseData.writeProtected());
            }
        }
        spec.handler().execute(c);
    }

    /**
     * INVALID COMMAND OPERATION CODE; for an unsupported service action of a known operation code with the field
     * pointer at the SERVICE ACTION field. (SPC-4 would also allow INVALID FIELD IN CDB there; LIO answers this,
     * and libiscsi's iscsi-test-cu treats only this answer as "command not implemented".)
     */
    private static SenseData unknownCommand(byte[] cdb) {
        if (CommandSet.serviceActionIsField(cdb[0] & 0xFF)) {
            return SenseData.invalidFieldInCdb(1, 4);
        }
        return CommandSet.hasServiceActions(cdb[0])
                ? SenseData.invalidOpcode(1, 4)
                : SenseData.invalidOpcode();
    }

    // ---- task management and nexus events ----

    /**
     * LOGICAL UNIT RESET (SAM-5 7.8) requested through {@code nexus}: clears the RESERVE(6) reservation, returns mode
     * parameters to their defaults, and establishes BUS DEVICE RESET FUNCTION OCCURRED (29h/03h) for every I_T nexus,
     * the requester's included (SAM-5 6.3.3 makes no exception, unlike MODE SELECT's; libiscsi's MultipathIO.Reset
     * checks every path). Aborting the unit's tasks is the transport's part (it owns them).
     *
     * @param lun the SAM LUN field, as {@link ScsiTask#lun()} and the iSCSI TMF request carry it; a plain LUN number
     *            (1-16383, which is never a valid single-level field) is accepted too
     */
    public void logicalUnitReset(long lun, ItNexus nexus) {
        long n = Luns.decode(lun);
        if (n == Luns.INVALID && lun > 0 && lun <= MAX_LUN) {
            n = lun;
        }
        // A LUN masked from the requester is absent for it: its reset changes nothing (SAM-5 7.8 addresses a unit).
        LunContext lu = unit(view(nexus), n);
        if (lu != null) {
            reset(lu, UnitAttention.LOGICAL_UNIT_RESET);
        }
    }

    /**
     * TARGET WARM RESET / COLD RESET: a reset of every unit the requester sees (a masked one is not part of the
     * target it addresses), with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h) for every I_T nexus, the
     * requester's included.
     */
    public void targetReset(ItNexus nexus) {
        for (LunContext lu : visibleLuns(nexus).values()) {
            reset(lu, UnitAttention.POWER_ON_RESET);
        }
    }

    private void reset(LunContext lu, UnitAttention ua) {
        lu.clearReservation();
        lu.resetModeParameters();
        lu.establish(nexuses, null, ua);
    }

    /** The I_T nexus ended (session closed or dropped): release what it held (RESERVE(6)) and its conditions. */
    public void nexusLost(ItNexus nexus) {
        nexuses.remove(nexus);
        views.remove(nexus);
        copies.forget(nexus);
        for (LunContext lu : luns.values()) {
            lu.forget(nexus);
        }
    }

    /**
     * Whether this LUN (SAM LUN field value) addresses a unit the initiator of {@code nexus} sees (a masked one is
     * absent for it). The REPORT LUNS well-known logical unit (C101h) counts as existing: it answers REPORT LUNS,
     * INQUIRY, REQUEST SENSE and TEST UNIT READY.
     */
    public boolean hasLun(long lun, ItNexus nexus) {
        long n = Luns.decode(lun);
        return n == Luns.REPORT_LUNS_WLUN || unit(view(nexus), n) != null;
    }

    /**
     * Whether a command would get as far as reading its Data-Out: a LUN the nexus sees and an operation code its
     * unit supports, in a CDB long enough for it. A transport asks before it buffers any write data, so a command
     * refused anyway costs no buffer.
     */
    public boolean acceptsDataOut(ScsiTask task) {
        byte[] cdb = task.cdb();
        long lun = Luns.decode(task.lun());
        LunContext lu = cdb.length >= 6 ? unit(view(task.nexus()), lun) : null;
        CommandSet.OpSpec spec = lu == null ? null : CommandSet.lookup(cdb);
        return spec != null && spec.supportedBy(lu) && cdb.length >= spec.cdbLength();
    }

    /**
     * Hook: the unit was resized; every nexus gets CAPACITY DATA HAS CHANGED (2Ah/09h, SBC-3 4.10) on each LUN
     * that maps it. READ CAPACITY already reports the new size.
     */
    public void capacityChanged(LogicalUnit unit) {
        for (LunContext lu : luns.values()) {
            if (lu.unit == unit) {
                lu.establish(nexuses, null, UnitAttention.CAPACITY_DATA_CHANGED);
            }
        }
    }

    /**
     * Hook: the target port groups' access states changed; every nexus but {@code origin} (the one whose SET TARGET
     * PORT GROUPS made the change, if any) gets ASYMMETRIC ACCESS STATE CHANGED on every LUN (SPC-4 5.15.2.5).
     */
    public void accessStateChanged(Object origin) {
        ItNexus except = origin instanceof ItNexus n ? n : null;
        for (LunContext lu : luns.values()) {
            lu.establish(nexuses, except, UnitAttention.ASYMMETRIC_ACCESS_STATE_CHANGED);
        }
    }

    /** Hook: the LUN inventory changed; every nexus gets REPORTED LUNS DATA HAS CHANGED (SPC-4 6.33). */
    public void reportedLunsChanged() {
        for (LunContext lu : luns.values()) {
            lu.establish(nexuses, null, UnitAttention.REPORTED_LUNS_DATA_CHANGED);
        }
    }

    /** Establishes {@code ua} on {@code lun} for every known nexus except {@code except} (null: all). */
    void establish(LunContext lu, ItNexus except, UnitAttention ua) {
        lu.establish(nexuses, except, ua);
    }

    /**
     * What the initiator of this nexus may see: its ACL entry's LUN mask, if it has one. A masked LUN behaves exactly
     * like an absent one (LIO's mapped LUNs), so REPORT LUNS and INQUIRY reveal nothing. Worked out on the nexus's
     * first command and kept until it is lost.
     */
    NexusView view(ItNexus nexus) {
        NexusView v = views.get(nexus);
        if (v == null) {
            v = NexusView.of(export, nexus);
            if (views.size() < MAX_VIEWS) {
                NexusView raced = views.putIfAbsent(nexus, v);
                v = raced != null ? raced : v;
            }
        }
        return v;
    }

    /** The unit at decoded LUN {@code n} if the view sees it, else null (also for a well-known or invalid LUN). */
    private LunContext unit(NexusView view, long n) {
        return n >= 0 && n < byLun.length && view.sees(n) ? byLun[(int) n] : null;
    }

    /** The units this nexus's initiator sees, ascending. */
    NavigableMap<Long, LunContext> visibleLuns(ItNexus nexus) {
        NexusView v = view(nexus);
        if (v.seesAll()) {
            return luns;
        }
        NavigableMap<Long, LunContext> m = new TreeMap<>(luns);
        m.keySet().removeIf(lun -> !v.sees(lun));
        return m;
    }

    CopyManager copies() {
        return copies;
    }

    NavigableMap<Long, LunContext> luns() {
        return luns;
    }

    /** The target port with this relative target port identifier, if a nexus has formed on it; else null. */
    ScsiPort port(int relativePortId) {
        return ports.get(relativePortId);
    }

    /** The target ports nexuses have formed on, by relative target port identifier. */
    Collection<ScsiPort> ports() {
        return ports.values();
    }

    static String hex(byte[] cdb) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(cdb.length, 16); i++) {
            sb.append(String.format("%02x", cdb[i] & 0xFF));
        }
        return sb.toString();
    }
}
