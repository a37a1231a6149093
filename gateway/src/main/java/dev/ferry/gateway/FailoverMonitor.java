package dev.ferry.gateway;

import dev.ferry.gateway.GroupState.Owner;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A survivor's side of failover: every {@code poll} it checks the lease of each member that owns an image and
 * takes over ({@link Ownership#takeOver}: fence, then compare-and-swap) the images it serves of a member whose
 * lease has expired (a member that does not serve an image could not make it optimized anywhere, and would keep
 * a member that does from taking it). Every surviving member may run one; the compare-and-swap lets exactly one win each image, the others'
 * attempts are refused and ignored. {@code poll} adds to the failover time ({@link Ownership}); a check costs one
 * lock listing per owning member.
 */
public final class FailoverMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverMonitor.class);
    /** Checking each second adds at most a second to the 15 s of the default lease. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    private final GatewayMember member;
    private final Predicate<String> serves;
    private final Consumer<String> tookOver;
    private final ScheduledThreadPoolExecutor timer;

    /**
     * Starts checking.
     *
     * @param serves   whether this member serves an image ({@code POOL[/NAMESPACE]/IMAGE}) now
     * @param tookOver called with each image this member took over (to serve it active/optimized)
     */
    public FailoverMonitor(GatewayMember member, Duration poll, Predicate<String> serves, Consumer<String> tookOver) {
        this.member = member;
        this.serves = serves;
        this.tookOver = tookOver;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gateway-failover-" + member.name);
            t.setDaemon(true);
            return t;
        });
        long p = poll.toNanos();
        timer.scheduleWithFixedDelay(this::check, p, p, TimeUnit.NANOSECONDS);
    }

    private void check() {
        if (!member.lease.valid()) {
            return;
        }
        Map<String, Boolean> inForce = new HashMap<>();
        for (Map.Entry<String, Owner> e : member.document.current().state().owners().entrySet()) {
            String owner = e.getValue().member();
            if (owner.equals(member.name) || !serves.test(e.getKey())) {
                continue;
            }
            try {
                if (!inForce.computeIfAbsent(owner, this::leaseInForce)) {
                    member.ownership.takeOver(e.getKey());
                    LOG.info("took {} over from {}, whose lease expired", e.getKey(), owner);
                    tookOver.accept(e.getKey());
                }
            } catch (GatewayException | IllegalStateException ex) {
                LOG.info("not taking {} over: {}", e.getKey(), ex.getMessage());
            }
        }
    }

    private boolean leaseInForce(String owner) {
        try {
            return MemberLease.inForce(member.client, owner);
        } catch (GatewayException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
