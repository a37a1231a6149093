package dev.ferry.gateway;

import dev.ferry.gateway.GroupState.Member;
import java.time.Duration;
import java.util.List;

/**
 * One Ferry daemon's membership of a gateway group: its RADOS connection, the group's document, its lease and its
 * record in the document (portals and the client address survivors blocklist). {@link #join} registers it (a
 * rejoining member fences its previous instance and replaces its record), {@link #close} leaves: it releases the
 * images it owns, removes its record and gives its lease up, leaving no trace in the group.
 */
public final class GatewayMember implements AutoCloseable {
    public final String name;
    public final RadosClient client;
    public final GroupDocument document;
    public final MemberLease lease;
    public final Ownership ownership;

    private GatewayMember(String name, RadosClient client, GroupDocument document, MemberLease lease,
            Duration fenceFor) {
        this.name = name;
        this.client = client;
        this.document = document;
        this.lease = lease;
        this.ownership = new Ownership(document, client, lease, name, fenceFor);
    }

    /**
     * Joins the group of {@code client} as {@code name}: takes the member's lease, then records the member.
     *
     * @param onLost run when the lease lapsed: stop writing to every image this member owns
     */
    public static GatewayMember join(RadosClient client, String name, List<String> portals, MemberLease.Timing timing,
            int watchTimeoutSeconds, Runnable onLost) throws GatewayException {
        return join(client, name, portals, 0, timing, watchTimeoutSeconds, onLost);
    }

    /**
     * Joins as a serving daemon whose portals are access group {@code accessGroup}, which no other member may
     * have (refused before the lease is taken).
     */
    public static GatewayMember join(RadosClient client, String name, List<String> portals, int accessGroup,
            MemberLease.Timing timing, int watchTimeoutSeconds, Runnable onLost) throws GatewayException {
        GroupDocument document = GroupDocument.open(client, watchTimeoutSeconds);
        MemberLease lease = null;
        try {
            if (accessGroup > 0) {
                for (var e : document.refresh().state().members().entrySet()) {
                    if (e.getValue().accessGroup() == accessGroup && !e.getKey().equals(name)) {
                        throw new GatewayException("access group " + accessGroup + " is member " + e.getKey()
                                + "'s: each member needs its own");
                    }
                }
            }
            lease = MemberLease.acquire(client, name, timing, onLost);
            fencePreviousInstance(client, name, document.refresh().state().members().get(name));
            Member me = new Member(portals, client.address(), client.instanceId(), false, accessGroup, List.of());
            document.update(s -> me.equals(s.members().get(name)) ? s
                    : s.with(m -> m.put(name, me), o -> { }));
            return new GatewayMember(name, client, document, lease, Fencing.DEFAULT_EXPIRY);
        } catch (GatewayException | RuntimeException e) {
            if (lease != null) {
                lease.close();
            }
            document.close();
            throw e;
        }
    }

    /**
     * Blocklists the instance this member was before (its group client and image clients), unless it left or was
     * fenced: it lost its lease (this one
     * could take it) but may only hang, with writes queued to the images this instance is about to own again.
     */
    private static void fencePreviousInstance(RadosClient client, String name, Member previous)
            throws GatewayException {
        if (previous != null && !previous.fenced() && previous.instance() != client.instanceId()) {
            for (String address : previous.allAddresses()) {
                Fencing.blocklist(client, address, Fencing.DEFAULT_EXPIRY);
            }
        }
    }

    /**
     * Records the clients this member writes its images through ({@link Member#dataAddresses}), so that fencing
     * it fences them; the caller records them before it owns an image through them.
     */
    public void recordDataClients(List<String> addresses) throws GatewayException {
        document.update(s -> {
            Member m = s.members().get(name);
            if (m == null || m.dataAddresses().equals(addresses)) {
                return s;
            }
            return s.with(members -> members.put(name, m.withDataAddresses(addresses)), o -> { });
        });
    }

    /** Leaves: releases this member's images, removes its record, gives up its lease. The client stays open. */
    @Override
    public void close() throws GatewayException {
        try {
            document.update(s -> {
                if (!s.members().containsKey(name)
                        && s.owners().values().stream().noneMatch(o -> o.member().equals(name))) {
                    return s;
                }
                return s.with(m -> m.remove(name), o -> o.values().removeIf(owner -> owner.member().equals(name)));
            });
        } finally {
            lease.close();
            document.close();
        }
    }
}
