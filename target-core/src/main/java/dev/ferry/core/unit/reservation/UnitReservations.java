package dev.ferry.core.unit.reservation;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation state of one logical unit, shared by every export and protocol that reaches the unit. Reads take
 * the current {@link #state()} snapshot. A change is computed and committed while holding this object's monitor
 * ({@code synchronized (reservations) { read state(); ...; commit(next, events); }}), so changes from all targets
 * and protocols are serialised; with APTPL in force it reaches stable storage before it takes effect.
 *
 * <p>A unit whose medium other nodes serve too {@link #share shares} its state through a {@link
 * SharedReservationStore}: a commit is then a compare-and-swap on the version the change was computed from, and a
 * change that lost to another node's is computed again from the newer state, which is why frontends make changes
 * through {@link #update}.
 *
 * <p>A commit that reaches storage (the APTPL file, the shared store) may take long: frontends run their commands'
 * changes through {@link #change}, which keeps them off the event loops.
 */
public final class UnitReservations {
    private static final Logger LOG = LoggerFactory.getLogger(UnitReservations.class);
    /**
     * Most registrations one unit keeps, over all protocols: every new initiator port (a new iSCSI ISID is one) can
     * register and registrations outlive the connection, so without a bound one initiator could grow the state
     * (and the APTPL file) without end. Protocols refuse more (SCSI: INSUFFICIENT REGISTRATION RESOURCES).
     */
    public static final int MAX_REGISTRATIONS = 256;

    /**
     * How often one change is computed again after another node committed first: each lost race means another
     * change landed, so the group progresses; this bounds how long one command can starve.
     */
    public static final int MAX_ATTEMPTS = 64;

    /**
     * Most changes one unit keeps waiting for a {@link ReservationWorkers} thread ({@link #change}): each is a command
     * some initiator waits for, and a unit whose store is slow must not hold them without bound; more are refused
     * busy.
     */
    public static final int MAX_QUEUED_CHANGES = 64;

    private final ReservationStore store;
    /**
     * Changes waiting to run off the loop, in arrival order; guarded by itself. One worker at a time runs them
     * ({@link #drain}), so a unit whose store is slow holds one worker, not every worker on its monitor.
     */
    private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
    /** Whether a worker is draining {@link #queued}; guarded by it. */
    private boolean draining;
    private volatile ReservationState state;
    /** The store shared with other nodes, or null; set by {@link #share}; read without the monitor. */
    private volatile SharedReservationStore shared;
    /** The shared store's version of {@link #state}. */
    private long version;
    /** Races lost by the change {@link #update} runs now. */
    private int lost;
    /**
     * The SPC-2 RESERVE(6) holder, or null: SCSI's older whole-unit reservation without keys (SPC-2 5.5.1). It
     * never persists, ends with its release, a reset or the holder's nexus loss, and refuses every other initiator
     * every command, NVMe hosts included.
     */
    private final AtomicReference<Registrant> exclusiveHolder = new AtomicReference<>();
    /**
     * Held weakly: a listener lives as long as the frontend object that serves the unit (a SCSI target's LUN),
     * which a reconfiguration may drop without telling anyone.
     */
    private final List<WeakReference<ReservationListener>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param store where APTPL state is kept and loaded from now, or null when it cannot be (APTPL refused)
     * @throws IllegalStateException when the saved state cannot be read
     */
    public UnitReservations(ReservationStore store) {
        this.store = store;
        this.state = store != null ? store.load() : ReservationState.EMPTY;
    }

    public ReservationState state() {
        return state;
    }

    /** Whether APTPL=1 can be honoured. */
    public boolean persistenceCapable() {
        return store != null || shared != null;
    }

    /**
     * From now on the state lives in {@code s} (the file store is no longer used): it is loaded now, reloaded
     * whenever {@code s} reports a change, and committed there.
     */
    public synchronized void share(SharedReservationStore s) throws IOException {
        // Told of changes first: one that lands during the load is read again after it.
        s.onChange(() -> {
            try {
                refresh();
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot read the shared reservations again: {}", e.toString());
            }
        });
        SharedReservationStore.Versioned v = s.load();
        shared = s;
        state = v.state();
        version = v.version();
    }

    /**
     * Reads the shared state again and, when another node changed it, publishes it with the events the change
     * causes for this node's registrants ({@link RemoteReservationEvents}).
     */
    public synchronized void refresh() throws IOException {
        if (shared == null) {
            return;
        }
        SharedReservationStore.Versioned v = shared.load();
        if (v.version() == version) {
            return;
        }
        ReservationState before = state;
        state = v.state();
        version = v.version();
        tell(RemoteReservationEvents.between(before, v.state()));
    }

    /**
     * Runs {@code change} (which reads {@link #state()} and {@link #commit}s) under this object's monitor, and
     * again from the newer state each time another node committed first, at most {@link #MAX_ATTEMPTS} times.
     */
    public <T> T update(Supplier<T> change) {
        synchronized (this) {
            lost = 0;
            while (true) {
                try {
                    return change.get();
                } catch (LostRace e) {
                    lost++;
                }
            }
        }
    }

    /**
     * Runs {@code change} (which makes its changes through {@link #update}) and then hands its result, or what it
     * threw, to {@code done} on {@code loop}: the change is committed (durable under APTPL) or failed by then, and
     * its events told. When this unit keeps its state somewhere ({@link #persistenceCapable}) the change runs on a
     * {@link ReservationWorkers} thread, since storage may block, after the unit's changes queued before it;
     * otherwise at once, {@code done} included, on the caller's thread (a loop).
     *
     * @return false when {@link #MAX_QUEUED_CHANGES} wait already or the workers' backlog is full: nothing ran, and
     *         the caller answers busy
     */
    public <T> boolean change(Supplier<T> change, Executor loop, BiConsumer<T, RuntimeException> done) {
        if (!persistenceCapable()) {
            run(change, done);
            return true;
        }
        return enqueue(() -> {
            T result = null;
            RuntimeException failure = null;
            try {
                result = change.get();
                awaitOtherNodes();
            } catch (RuntimeException e) {
                failure = e;
            } catch (Throwable t) { // an Error too: the command must still be answered
                failure = new IllegalStateException(t);
            }
            T r = result;
            RuntimeException f = failure;
            try {
                loop.execute(() -> done.accept(r, f));
            } catch (RejectedExecutionException e) {
                LOG.debug("the loop ended before a reservation change was answered: {}", e.toString());
            }
        });
    }

    /** A shared state's change is answered once the other nodes enforce it too (outside this unit's monitor). */
    private void awaitOtherNodes() {
        SharedReservationStore s;
        synchronized (this) {
            s = shared;
        }
        if (s != null) {
            s.awaitOtherNodes();
        }
    }

    private boolean enqueue(Runnable work) {
        synchronized (queued) {
            if (queued.size() >= MAX_QUEUED_CHANGES) {
                return false;
            }
            // submit never blocks: under the lock no change is queued without a worker to drain it
            if (!draining && !ReservationWorkers.submit(this::drain)) {
                return false;
            }
            draining = true;
            queued.add(work);
            return true;
        }
    }

    /** Runs the queued changes one after another, on one worker, until none is left. */
    private void drain() {
        while (true) {
            Runnable next;
            synchronized (queued) {
                next = queued.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            next.run();
        }
    }

    private static <T> void run(Supplier<T> change, BiConsumer<T, RuntimeException> done) {
        T result;
        try {
            result = change.get();
        } catch (RuntimeException e) {
            done.accept(null, e);
            return;
        }
        done.accept(result, null);
    }

    /** Another node committed first: the change is computed again from the state {@link #refresh} read. */
    private static final class LostRace extends RuntimeException {
        LostRace() {
            super(null, null, false, false);
        }
    }

    /**
     * Whether a command from {@code who} conflicts with the unit's reservations: another initiator's
     * {@link #exclusiveHolder() RESERVE(6)}, or the persistent reservation ({@link ReservationState#conflicts}).
     */
    public boolean conflicts(Registrant who, boolean writes) {
        Registrant holder = exclusiveHolder.get();
        return (holder != null && !holder.equals(who)) || state.conflicts(who, writes);
    }

    /** Whether any reservation exists: without one nothing can conflict (the I/O path's cheap first check). */
    public boolean reserved() {
        return exclusiveHolder.get() != null || state.reservation() != null;
    }

    /** The RESERVE(6) holder, or null. */
    public Registrant exclusiveHolder() {
        return exclusiveHolder.get();
    }

    /** Reserves the whole unit for {@code who}; false when another initiator holds it. A holder may reserve again. */
    public boolean reserveExclusive(Registrant who) {
        return exclusiveHolder.compareAndSet(null, who) || who.equals(exclusiveHolder.get());
    }

    /** Ends {@code who}'s RESERVE(6) reservation; from anyone else (or with none) nothing changes (SPC-2 7.21). */
    public void releaseExclusive(Registrant who) {
        Registrant holder = exclusiveHolder.get();
        if (holder != null && holder.equals(who)) {
            exclusiveHolder.compareAndSet(holder, null);
        }
    }

    /** A reset ends any RESERVE(6) reservation. */
    public void clearExclusive() {
        exclusiveHolder.set(null);
    }

    /**
     * Publishes {@code next}, saved first when it or the state before it has APTPL set (a file exists exactly while
     * APTPL is in force), then tells the listeners of each event. Callers hold this object's monitor from reading
     * the state they changed.
     *
     * @throws IOException when saving failed, or another node kept committing first; the state is unchanged then
     */
    public synchronized void commit(ReservationState next, List<Map.Entry<Registrant, ReservationEvent>> events)
            throws IOException {
        if (shared != null) {
            commitShared(next);
            tell(events);
            return;
        }
        ReservationState before = state;
        if (store != null && (next.aptpl() || before.aptpl())) {
            if (next.aptpl()) {
                store.save(next);
            } else {
                store.delete();
            }
        }
        state = next;
        tell(events);
    }

    /** Stores {@code next} unless another node committed since {@link #state} was read: then that is read. */
    private void commitShared(ReservationState next) throws IOException {
        OptionalLong v = shared.commit(version, next);
        if (v.isPresent()) {
            state = next;
            version = v.getAsLong();
            return;
        }
        refresh();
        if (lost + 1 >= MAX_ATTEMPTS) {
            throw new IOException("gave up after " + MAX_ATTEMPTS + " changes of other nodes committed first");
        }
        throw new LostRace();
    }

    private void tell(List<Map.Entry<Registrant, ReservationEvent>> events) {
        for (Map.Entry<Registrant, ReservationEvent> e : events) {
            for (WeakReference<ReservationListener> ref : listeners) {
                ReservationListener l = ref.get();
                if (l != null) {
                    l.notify(e.getKey(), e.getValue());
                }
            }
        }
    }

    public void addListener(ReservationListener l) {
        listeners.removeIf(ref -> ref.get() == null);
        listeners.add(new WeakReference<>(l));
    }
}
