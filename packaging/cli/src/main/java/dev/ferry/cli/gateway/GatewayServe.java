package dev.ferry.cli.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.control.ControlService;
import dev.ferry.cli.control.SharedConfiguration;
import dev.ferry.backend.rbd.RbdClients;
import dev.ferry.backend.rbd.RbdSpec;
import dev.ferry.core.TargetCore;
import dev.ferry.core.access.AccessLayout;
import dev.ferry.core.access.AccessState;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.gateway.FailoverMonitor;
import dev.ferry.gateway.GatewayException;
import dev.ferry.gateway.GatewayMember;
import dev.ferry.gateway.GroupConfig;
import dev.ferry.gateway.GroupState;
import dev.ferry.gateway.GroupState.Member;
import dev.ferry.gateway.GroupState.Owner;
import dev.ferry.gateway.MemberLease;
import dev.ferry.gateway.RadosClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code ferry serve} daemon as a member of its configuration's gateway group: it joins (lease + member record),
 * claims the unowned images of its targets, runs a {@link FailoverMonitor}, and keeps its targets' access groups
 * ({@link GatewayLayout}) in step with the group document, which its watch keeps current. All of that runs on one
 * thread, in order. When its lease lapses it puts its own groups into standby at once (no media command is taken
 * from then on) and rejoins through a new RADOS client, as non-optimized unless it still owns its images;
 * {@link #close} (SIGTERM) puts them into standby, releases its images and leaves the group. The reservations of its
 * rbd units live in the group's RADOS ({@link GroupReservations}), and so do the backstores and targets it serves
 * ({@link GroupConfigLink}): a change made through any member is applied by every member as soon as its watch
 * hears of it, and by a member that was down when it returns.
 */
public final class GatewayServe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServe.class);
    /** The group document's watch: the OSD drops a silent watcher after this long. */
    private static final int WATCH_TIMEOUT_SECONDS = 30;
    /** How often the states are re-derived anyway (the watch tells of changes at once; this is the safety net). */
    private static final Duration REFRESH = Duration.ofSeconds(1);

    private final GatewayConfig config;
    private final RbdSpec group;
    private final List<String> portals;
    private final MemberLease.Timing timing;
    private final ScheduledThreadPoolExecutor worker;
    private final GroupReservations reservations = new GroupReservations(WATCH_TIMEOUT_SECONDS);
    /** Null when failback is manual. */
    private final Failback failback;
    private volatile TargetCore core;
    /** The control service that applies the group's configuration changes; set by {@link #start}. */
    private volatile ControlService control;
    private final GroupConfigLink link;
    /** The group configuration the daemon started with. */
    private GroupConfig.Snapshot started;
    /** False while the group's newest configuration could not be applied here (tried again every refresh). */
    private volatile boolean configCurrent = true;
    /** The membership in force; replaced by a rejoin; used on the worker thread (and by close). */
    private volatile Session session;
    private volatile boolean closed;

    private record Session(RadosClient client, GatewayMember member, FailoverMonitor monitor, GroupConfig config) {
        void close() {
            monitor.close();
            client.close(); // closes the lease and the document watch on it
        }
    }

    private GatewayServe(GatewayConfig config, List<String> portals, Path secrets) {
        this.link = new GroupConfigLink(() -> {
            Session s = session;
            return s == null ? null : s.client;
        }, () -> {
            Session s = session;
            return s == null ? null : s.config;
        }, secrets, this::withAccessStates);
        this.config = config;
        this.group = RbdSpec.parse(RbdSpec.format(poolOf(config.group()), namespaceOf(config.group()),
                nameOf(config.group()), config.conf(), config.id(), config.keyring()));
        this.portals = portals;
        this.timing = timing(config.leaseSecondsOrDefault());
        this.failback = config.automaticFailback() ? new Failback(config.failbackSecondsOrDefault()) : null;
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gateway-" + config.member());
            t.setDaemon(true);
            return t;
        });
    }

    /** The lease: renewed every fifth of it, given up a third of it early (15 s: every 3 s, 5 s early). */
    static MemberLease.Timing timing(int leaseSeconds) {
        Duration d = Duration.ofSeconds(leaseSeconds);
        return new MemberLease.Timing(d, d.dividedBy(5), d.dividedBy(3));
    }

    /**
     * Joins the group of {@code c.gateway()} before the targets start (so they start in the group's states).
     *
     * @param secrets the daemon's secrets directory
     */
    public static GatewayServe join(FerryConfig c, Path secrets) throws GatewayException {
        GatewayServe g = new GatewayServe(c.gateway(), MemberConfig.allPortals(c), secrets);
        g.session = g.connect();
        try {
            g.started = GroupConfigLink.startWith(g.session.client, g.session.config, c, secrets);
        } catch (GatewayException | RuntimeException e) {
            g.session.close();
            throw e;
        }
        return g;
    }

    private Session connect() throws GatewayException {
        RadosClient client = RadosClient.connect(group);
        try {
            GatewayMember member = GatewayMember.join(client, config.member(), portals, config.accessGroup(), timing,
                    WATCH_TIMEOUT_SECONDS, this::leaseLost);
            member.document.onChange(s -> submit(this::refresh));
            FailoverMonitor monitor = new FailoverMonitor(member, FailoverMonitor.DEFAULT_POLL, this::serves,
                    image -> submit(this::refresh));
            GroupConfig shared = GroupConfig.open(client, WATCH_TIMEOUT_SECONDS);
            shared.onChange(() -> submit(this::followConfig));
            LOG.info("member {} of gateway group {} (access group {})", config.member(), group.imageSpec(),
                    config.accessGroup());
            return new Session(client, member, monitor, shared);
        } catch (GatewayException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * What this member starts with: the group's configuration on {@code own}'s portals, in its access states, its
     * secrets written.
     */
    public FerryConfig initial(FerryConfig own) throws IOException {
        return started.config() == null ? own : link.serve(own, started.config());
    }

    /** The group's configuration as this member's control service publishes and follows it. */
    public SharedConfiguration sharedConfiguration() {
        return link;
    }

    /** The version of the group's configuration {@link #initial} gave. */
    public long startRevision() {
        return started.version();
    }

    /** Whether this member's running targets export {@code image}. */
    private boolean serves(String image) {
        TargetCore c = core;
        return c != null && GatewayLayout.images(c.config()).contains(image);
    }

    /** {@code c} with the access states the group document gives this member now. */
    private FerryConfig withAccessStates(FerryConfig c) {
        Session s = session;
        if (s == null) { // between two memberships: no lease
            return GatewayLayout.apply(c, GroupState.EMPTY, config.member(), config.accessGroup(), false);
        }
        return GatewayLayout.apply(c, s.member.document.current().state(), config.member(), config.accessGroup(),
                s.member.lease.valid());
    }

    /** {@code report} (a {@code ferry status} report) with this member's {@code gateway} part. */
    public ObjectNode withStatus(ObjectNode report) {
        Session s = session;
        TargetCore c = core;
        ControlService.Revision revision = control == null ? null : control.revision();
        if (s != null && c != null) {
            GatewayStatus.put(report, config.group(), config.member(), config.accessGroup(), s.member.lease.valid(),
                    s.member.document.current().state(), GatewayLayout.images(c.config()), revision);
        }
        return report;
    }

    /** Starts following the group with the running target, whose configuration {@code control} changes. */
    public void start(TargetCore running, ControlService control) {
        this.core = running;
        this.control = control;
        reservations.follow(running, session.client); // before the worker runs: then only on the worker
        fenceWrites(running);
        long p = REFRESH.toNanos();
        worker.scheduleWithFixedDelay(this::refresh, 0, p, TimeUnit.NANOSECONDS);
        submit(this::followConfig); // a change published since this member read the group's configuration
    }

    /** The group's configuration changed (or the watch was re-established): apply it, then derive the states. */
    private void followConfig() {
        configCurrent = false;
        refresh();
    }

    /**
     * The group's units (rbd backstores) change their image only while this member's lease is valid, checked per
     * write: after a stop (SIGSTOP, a long pause) past the lease deadline, a write the event loop takes before the
     * lease timer has put the groups into standby is refused too (another member may own the image by then).
     * Units opened later (reconfiguration, the reopen of a rejoin) are fenced at the next refresh.
     */
    private void fenceWrites(TargetCore c) {
        Map<String, LogicalUnit> units = c.registry().units();
        for (BackstoreConfig b : c.config().backstores()) {
            LogicalUnit u = units.get(b.name());
            if ("rbd".equals(b.type()) && u != null) {
                u.fenceWrites(this::mayWrite);
            }
        }
    }

    private boolean mayWrite() {
        Session s = session;
        return s != null && s.member.lease.valid();
    }

    private void submit(Runnable r) {
        try {
            worker.execute(r);
        } catch (RejectedExecutionException e) {
            // closing: the states no longer follow the group
        }
    }

    /** Claims the unowned images of this member's targets, then derives and applies the access states. */
    private void refresh() {
        Session s = session;
        TargetCore c = core;
        if (s == null || c == null) {
            return;
        }
        ControlService svc = control;
        if (!configCurrent && svc != null) {
            configCurrent = svc.follow();
        }
        reservations.follow(c, s.client);
        fenceWrites(c);
        try {
            boolean valid = s.member.lease.valid();
            if (valid) {
                recordDataClients(s);
                Set<String> serving = GatewayLayout.images(c.config());
                for (String image : serving) {
                    if (s.member.ownership.owner(image) == null) {
                        claim(s, image);
                    }
                }
                releaseUnserved(s, serving);
                if (failback != null) {
                    failback.run(s.member);
                }
            }
            synchronized (c) { // the admin commands apply under the same lock: neither loses the other's change
                FerryConfig now = c.config();
                FerryConfig next = GatewayLayout.apply(now, s.member.document.current().state(), config.member(),
                        config.accessGroup(), s.member.lease.valid());
                if (!next.equals(now)) {
                    c.apply(next);
                    LOG.info("access states now {}", next.targets().stream()
                            .map(t -> t.name() + "=" + t.accessGroupsOrEmpty()).toList());
                }
            }
        } catch (Exception e) {
            LOG.warn("cannot apply the group's access states: {}", e.toString());
        }
    }

    /**
     * Records the clients this process writes images through, before it claims an image: a survivor taking over
     * blocklists them with the member's own client, so a hung owner cannot write once it wakes up.
     */
    private void recordDataClients(Session s) throws GatewayException {
        List<String> data = RbdClients.addresses();
        Member mine = s.member.document.current().state().members().get(config.member());
        if (mine == null || !mine.dataAddresses().equals(data)) {
            s.member.recordDataClients(data);
        }
    }

    /**
     * Gives up the images this member owns but no longer serves (the group's configuration dropped them), so the
     * group keeps no owner for an image nobody serves; a member that serves it again claims it anew.
     */
    private void releaseUnserved(Session s, Set<String> serving) {
        for (Map.Entry<String, Owner> e : s.member.document.current().state().owners().entrySet()) {
            if (e.getValue().member().equals(config.member()) && !serving.contains(e.getKey())) {
                try {
                    s.member.ownership.release(e.getKey());
                    LOG.info("released {}: no longer served", e.getKey());
                } catch (GatewayException ex) {
                    LOG.info("not releasing {} yet: {}", e.getKey(), ex.getMessage());
                }
            }
        }
    }

    private static void claim(Session s, String image) {
        try {
            s.member.ownership.claim(image);
            LOG.info("claimed {}", image);
        } catch (GatewayException e) {
            LOG.info("not claiming {}: {}", image, e.getMessage());
        }
    }

    /**
     * The lease lapsed (MemberLease's timer thread): from now on another member may fence this one and take its
     * images, so its own groups go into standby before anything else (the frontends refuse media commands in that
     * state), then it rejoins.
     */
    private void leaseLost() {
        LOG.warn("lease of member {} lost: no more media access through this member until it rejoins",
                config.member());
        standby();
        submit(this::refresh);
        submit(this::rejoin);
    }

    /** This member's groups of the group targets into standby, at once (not through a configuration change). */
    private void standby() {
        TargetCore c = core;
        if (c == null) {
            return;
        }
        Set<String> targets = new LinkedHashSet<>();
        for (TargetConfig t : c.config().targets()) {
            if (!GatewayLayout.imagesOf(c.config(), t).isEmpty()) {
                targets.add(t.protocolOrDefault() + "/" + t.name().toLowerCase(Locale.ROOT));
            }
        }
        for (Export e : c.registry().exports()) {
            AccessLayout l = e.accessGroups().layout();
            if (targets.contains(e.protocol() + "/" + e.name().toLowerCase(Locale.ROOT))
                    && l.group(config.accessGroup()) != null) {
                e.accessGroups().setStates(Map.of(config.accessGroup(), AccessState.STANDBY), null);
            }
        }
    }

    /** A new client instance, lease and record; retried every renewal interval until it works. */
    private void rejoin() {
        Session old = session;
        if (closed || old == null || old.member.lease.valid()) {
            return;
        }
        session = null;
        old.close();
        try {
            Session next = connect(); // it fenced this member's previous clients, the image clients too
            // No write is admitted before this line: the write fence stays closed (no session) until the images
            // are open on new clients.
            LOG.info("member {} holds a new lease; reopening its images", config.member());
            reopenImages();
            session = next;
            if (!next.member.lease.valid()) { // lost while reopening: leaseLost found no session to rejoin from
                submit(this::rejoin);
            }
            configCurrent = false; // changes published while it was out
            LOG.info("member {} rejoined", config.member());
            refresh();
        } catch (GatewayException | RuntimeException e) {
            LOG.warn("cannot rejoin yet: {}", e.getMessage());
            session = old; // keeps the lease invalid: refresh keeps the standby states
            worker.schedule(this::rejoin, timing.renewEvery().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The rbd backstores on new clients: the ones before may be fenced (by a survivor, or by the rejoin). */
    private void reopenImages() {
        TargetCore c = core;
        if (c == null) {
            return;
        }
        Set<String> rbd = new LinkedHashSet<>();
        c.config().backstores().stream().filter(b -> "rbd".equals(b.type())).forEach(b -> rbd.add(b.name()));
        try {
            c.reopen(rbd);
        } catch (Exception e) {
            LOG.warn("cannot reopen the images {}: {}", rbd, e.toString());
        }
    }

    /** Leaves: standby first (initiators move their I/O), then the images are released and the record goes. */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        standby();
        Session s = session;
        if (s == null) {
            return;
        }
        try {
            if (s.member.lease.valid()) {
                s.member.close();
            }
        } catch (GatewayException | RuntimeException e) {
            LOG.warn("leaving the group: {}", e.getMessage());
        } finally {
            s.close();
        }
    }

    private static String poolOf(String group) {
        return group.split("/")[0];
    }

    private static String namespaceOf(String group) {
        String[] p = group.split("/");
        return p.length == 3 ? p[1] : null;
    }

    private static String nameOf(String group) {
        String[] p = group.split("/");
        return p[p.length - 1];
    }
}
