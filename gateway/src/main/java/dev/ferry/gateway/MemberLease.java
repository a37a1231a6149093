package dev.ferry.gateway;

import dev.ferry.backend.rbd.Ceph;
import dev.ferry.backend.rbd.Ceph.Rados;
import dev.ferry.backend.rbd.Errno;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's lease: the exclusive RADOS lock {@code ferry-lease} on object {@code ferry.gateway.GROUP.lease.MEMBER},
 * taken with a duration the OSD enforces (cls_lock drops a holder whose duration ran out, so {@link #inForce} seen
 * from any other member turns false by itself) and renewed on an absolute schedule.
 *
 * <p>Safety: a renewal sent at local time {@code s} that succeeds makes the OSD hold the lock until at least
 * {@code s + duration} by its own clock (it starts counting when it runs the request, after {@code s}). The holder
 * counts its lease valid until {@code s + duration - margin} only; when that passes without a newer successful
 * renewal, {@code onLost} runs, on a thread of its own so a renewal stuck in the cluster cannot delay it, and the
 * member must stop writing. No clock needs to agree with another; {@code margin} covers the drift of the two clocks'
 * rates over one duration and the time {@code onLost} takes to stop the writers. A member that hangs (SIGSTOP) past
 * that point cannot stop itself: fencing ({@link Fencing}) covers that case.
 *
 * <p>Failover time: a member that dies just after a renewal holds its lease {@code duration} more; a survivor
 * checking every {@code poll} sees it expired within {@code duration + poll}, then blocklists it (one monitor
 * command and the OSD map it publishes) and changes the owner (one compare-and-swap): see {@link Ownership}.
 */
public final class MemberLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemberLease.class);
    static final String LOCK = "ferry-lease";

    /**
     * The lease's timing.
     *
     * @param duration how long the OSD holds the lock after each renewal
     * @param renewEvery the renewal period, on an absolute schedule (start + n * renewEvery)
     * @param margin how long before the lease can expire for others the holder stops
     */
    public record Timing(Duration duration, Duration renewEvery, Duration margin) {
        /** 15 s leases renewed every 3 s, stopping 5 s early: up to 3 renewals may fail before the member stops. */
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(3),
                Duration.ofSeconds(5));

        public Timing {
            if (duration.toSeconds() < 1 || renewEvery.isNegative() || renewEvery.isZero() || margin.isNegative()
                    || renewEvery.plus(margin).compareTo(duration) >= 0) {
                throw new IllegalArgumentException("a lease needs duration >= 1 s and renewEvery + margin < duration: "
                        + this);
            }
        }
    }

    private final RadosClient client;
    private final String oid;
    private final String cookie;
    private final Timing timing;
    private final Runnable onLost;
    private final ScheduledThreadPoolExecutor timers;
    /**
     * Local nanoTime until which the holder may act: last successful renewal's send time + duration - margin.
     * Written under this object's lock; volatile (as {@code lost} and {@code closed}, which only ever turn true) so
     * that {@link #valid}, asked on every write of a fenced unit, takes no lock.
     */
    private volatile long validUntil;
    private long renewals;
    private volatile boolean lost;
    private volatile boolean closed;
    private ScheduledFuture<?> deadline;

    private MemberLease(RadosClient client, String member, Timing timing, Runnable onLost) {
        this.client = client;
        this.oid = oid(client.group(), member);
        this.cookie = "instance-" + client.instanceId();
        this.timing = timing;
        this.onLost = onLost;
        // Two threads: the deadline must fire while a renewal waits on the cluster.
        this.timers = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "gateway-lease-" + member);
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
    }

    /**
     * Removes the lease object of {@code member}, whose lease is not in force: a member removed from the group
     * leaves no object behind (a daemon of that name that serves again creates it anew).
     */
    static void remove(RadosClient client, String member) throws GatewayException {
        int rc = Rados.rados_remove(client.ioctx, oid(client.group(), member));
        if (rc != -Errno.ENOENT) {
            GatewayException.check(rc, "cannot remove the lease object of member " + member);
        }
    }

    static String oid(String group, String member) {
        GroupState.requireName("member name", member);
        return GroupDocument.oid(group) + ".lease." + member;
    }

    /**
     * Takes {@code member}'s lease for this client and keeps renewing it; {@code onLost} runs once if it lapses.
     * Fails while another instance (the member before a restart) still holds it: it expires within one duration.
     */
    public static MemberLease acquire(RadosClient client, String member, Timing timing, Runnable onLost)
            throws GatewayException {
        MemberLease l = new MemberLease(client, member, timing, onLost);
        long sent = System.nanoTime();
        int rc = l.lock((byte) 0);
        if (rc == -Errno.EBUSY) {
            l.timers.shutdownNow();
            throw new GatewayException("member " + member + "'s lease is held by another instance; it expires within "
                    + timing.duration().toSeconds() + " s of that instance's last renewal");
        }
        if (rc < 0) {
            l.timers.shutdownNow();
            GatewayException.check(rc, "cannot take the lease " + l.oid);
        }
        synchronized (l) {
            l.renewed(sent);
        }
        long period = timing.renewEvery().toNanos();
        l.timers.scheduleAtFixedRate(l::renew, period, period, TimeUnit.NANOSECONDS);
        client.use(l);
        return l;
    }

    private int lock(byte flags) {
        long d = timing.duration().toMillis();
        long[] tv = {d / 1000, (d % 1000) * 1000};
        return Rados.rados_lock_exclusive(client.ioctx, oid, LOCK, cookie, "ferry gateway member lease", tv, flags);
    }

    private void renew() {
        long sent;
        synchronized (this) {
            sent = System.nanoTime();
            if (lost || closed || sent - validUntil >= 0) {
                // Past the deadline (this process was stopped or starved): the lock may have expired and another
                // member taken over, so a renewal now would re-take it rather than extend it. The deadline check
                // declares the lease lost.
                return;
            }
        }
        int rc = lock(Ceph.LIBRADOS_LOCK_FLAG_RENEW);
        synchronized (this) {
            if (rc == 0) {
                renewed(sent);
            } else {
                LOG.warn("renewing the lease {} failed: {}", oid, Errno.name(-rc));
            }
        }
    }

    /**
     * Under the lock: a renewal sent at {@code sent} succeeded; moves the deadline unless the lease lapsed. Only a
     * renewal sent before the deadline counts: then the OSD still held the lock when it ran it (the OSD's expiry
     * is at least {@code margin} later), so the lease never had a gap another member could have used.
     */
    private void renewed(long sent) {
        if (lost || closed || (renewals > 0 && sent - validUntil >= 0)) {
            return;
        }
        long until = sent + timing.duration().minus(timing.margin()).toNanos();
        if (renewals > 0 && until - validUntil <= 0) {
            return;
        }
        validUntil = until;
        renewals++;
        if (deadline != null) {
            deadline.cancel(false);
        }
        deadline = timers.schedule(this::checkDeadline, Math.max(0, validUntil - System.nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    private void checkDeadline() {
        synchronized (this) {
            if (lost || closed || System.nanoTime() - validUntil < 0) {
                return;
            }
            lost = true;
        }
        LOG.warn("the lease {} lapsed (no renewal within {} ms): stopping", oid, timing.duration().minus(
                timing.margin()).toMillis());
        timers.shutdown();
        onLost.run();
    }

    /** Whether this member may act now: its lease is renewed and not within {@code margin} of expiring. */
    public boolean valid() {
        return !lost && !closed && System.nanoTime() - validUntil < 0;
    }

    /** How many times the lease was taken or renewed. */
    public synchronized long renewals() {
        return renewals;
    }

    /** Whether {@code member}'s lease is held now, as the OSD sees it (any instance of it). */
    public static boolean inForce(RadosClient client, String member) throws GatewayException {
        String oid = oid(client.group(), member);
        int size = 256;
        for (int attempt = 0; attempt < 4; attempt++) {
            long[] tagLength = {size};
            long[] clientsLength = {size};
            long[] cookiesLength = {size};
            long[] addressesLength = {size};
            long rc = Rados.rados_list_lockers(client.ioctx, oid, LOCK, new int[1], new byte[size], tagLength,
                    new byte[size], clientsLength, new byte[size], cookiesLength, new byte[size], addressesLength);
            if (rc == -Errno.ENOENT) {
                return false;
            }
            if (rc != -Errno.ERANGE) {
                return GatewayException.check(rc, "cannot read the lease " + oid) > 0;
            }
            size *= 4;
        }
        throw new GatewayException("the lease " + oid + " lists too many holders");
    }

    /** Gives the lease up (a member leaving): stops renewing and unlocks, so others see it ended at once. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        timers.shutdownNow();
        try {
            timers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.unuse(this);
        int rc = Rados.rados_unlock(client.ioctx, oid, LOCK, cookie);
        if (rc < 0 && rc != -Errno.ENOENT) {
            LOG.warn("releasing the lease {} failed ({}): it expires by itself", oid, Errno.name(-rc));
        }
    }
}
