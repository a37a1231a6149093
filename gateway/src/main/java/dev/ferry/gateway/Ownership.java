package dev.ferry.gateway;

import dev.ferry.gateway.GroupState.Member;
import dev.ferry.gateway.GroupState.Owner;
import java.time.Duration;

/**
 * Who owns each image (or load-balancing group) of a gateway group: the one member that serves it
 * active/optimized and writes to it, recorded in the group's document ({@link GroupState#owners}). Every change
 * is a compare-and-swap of that document, so two members never both become owner. An owner acts only while its
 * own lease is valid ({@link MemberLease#valid}); an image moves
 * <ul>
 *   <li>voluntarily ({@link #move}, {@link #release}): the owner drained its I/O first, nobody is fenced;</li>
 *   <li>by takeover ({@link #takeOver}): only after the owner's lease expired as the OSD sees it AND its RADOS
 *       client was blocklisted, so an owner that only hangs cannot write once it wakes up.</li>
 * </ul>
 *
 * <p>Failover time, from the owner's last successful renewal to the survivor owning the image:
 * {@code duration} (the OSD holds the dead owner's lock that long) + the survivor's polling interval of
 * {@link MemberLease#inForce} + the blocklist (one monitor commit, {@link Fencing}) + one compare-and-swap of the
 * document; with {@link MemberLease.Timing#DEFAULT} about 15 s + the poll + well under a second on a healthy
 * cluster. The owner itself stopped writing {@code margin} (5 s) before its lease could expire.
 */
public final class Ownership {
    private final GroupDocument document;
    private final RadosClient client;
    private final MemberLease lease;
    private final String me;
    private final Duration fenceFor;

    /**
     * @param me this member's name, whose lease is {@code lease}
     * @param fenceFor how long a taken-over member stays blocklisted ({@link Fencing#DEFAULT_EXPIRY})
     */
    public Ownership(GroupDocument document, RadosClient client, MemberLease lease, String me, Duration fenceFor) {
        this.document = document;
        this.client = client;
        this.lease = lease;
        this.me = me;
        this.fenceFor = fenceFor;
    }

    /** The member that owns {@code image} as this member last read it, or null. */
    public String owner(String image) {
        Owner o = document.current().state().owners().get(image);
        return o == null ? null : o.member();
    }

    /** Whether this member owns {@code image} and may write to it now. */
    public boolean mayWrite(String image) {
        return me.equals(owner(image)) && lease.valid();
    }

    /** Becomes the owner of {@code image}, which must have none (or be this member's already). */
    public void claim(String image) throws GatewayException {
        requireLease();
        document.update(s -> {
            Owner o = s.owners().get(image);
            if (o != null && o.member().equals(me)) {
                return s;
            }
            if (o != null) {
                throw new GatewayException(image + " is owned by " + o.member());
            }
            return s.with(m -> { }, owners -> owners.put(image, new Owner(me, 1)));
        });
    }

    /**
     * Hands {@code image}, which this member owns, to member {@code to}, whose lease must be in force: the
     * maintenance move. The caller has stopped and drained its I/O to the image first.
     */
    public void move(String image, String to) throws GatewayException {
        requireLease();
        if (!MemberLease.inForce(client, to)) {
            throw new GatewayException("member " + to + " holds no lease: it cannot take " + image);
        }
        document.update(s -> {
            Owner o = requireMine(s, image);
            if (!s.members().containsKey(to)) {
                throw new GatewayException(to + " is not a member of the group");
            }
            return s.with(m -> { }, owners -> owners.put(image, o.movedTo(to)));
        });
    }

    /** Gives {@code image} up without a new owner (drained, or the member leaves). */
    public void release(String image) throws GatewayException {
        document.update(s -> {
            Owner o = s.owners().get(image);
            if (o == null || !o.member().equals(me)) {
                return s;
            }
            return s.with(m -> { }, owners -> owners.remove(image));
        });
    }

    /**
     * Takes {@code image} over from its owner, which must have lost its lease (as the OSD sees it): blocklists the
     * owner's RADOS client, then becomes the owner, unless the owner changed meanwhile (another survivor was
     * quicker: refused). Returns the member taken over from, or null when this member owned it already.
     */
    public String takeOver(String image) throws GatewayException {
        requireLease();
        Owner seen = document.refresh().state().owners().get(image);
        if (seen == null) {
            claim(image);
            return null;
        }
        if (seen.member().equals(me)) {
            return null;
        }
        String previous = seen.member();
        if (MemberLease.inForce(client, previous)) {
            throw new GatewayException(image + " is owned by " + previous + ", whose lease is in force");
        }
        Member m = document.current().state().members().get(previous);
        if (m != null && !m.fenced()) {
            for (String address : m.allAddresses()) {
                Fencing.blocklist(client, address, fenceFor);
            }
        }
        document.update(s -> {
            Owner now = s.owners().get(image);
            if (!seen.equals(now)) {
                throw new GatewayException(image + " changed owner meanwhile (now " + (now == null ? "none"
                        : now.member()) + ")");
            }
            // The previous owner may have restarted since its lease was seen expired: its new instance holds a
            // new lease and keeps its images (it fenced the old one itself).
            Member was = s.members().get(previous);
            if (m != null && (was == null || was.instance() != m.instance())) {
                throw new GatewayException(previous + " rejoined meanwhile: it keeps " + image);
            }
            return s.with(members -> {
                if (was != null) {
                    members.put(previous, was.withFenced(true));
                }
            }, owners -> owners.put(image, seen.movedTo(me)));
        });
        return previous;
    }

    private Owner requireMine(GroupState s, String image) throws GatewayException {
        Owner o = s.owners().get(image);
        if (o == null || !o.member().equals(me)) {
            throw new GatewayException(image + " is not owned by " + me + " (owner: " + (o == null ? "none"
                    : o.member()) + ")");
        }
        return o;
    }

    private void requireLease() throws GatewayException {
        if (!lease.valid()) {
            throw new GatewayException(me + " holds no valid lease: it may not own images");
        }
    }
}
