package dev.ferry.gateway;

import dev.ferry.gateway.GroupState.Member;
import dev.ferry.gateway.GroupState.Owner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Administering a gateway group from outside it (what {@code ferry gateway create|join|leave|status} do): a member
 * registered here gets its client address, instance and lease when its daemon serves ({@link GatewayMember#join}).
 */
public final class GroupAdmin {
    /**
     * One member as status shows it.
     *
     * @param epochs the owner epoch of each image it owns (raised by every change of owner)
     */
    public record MemberStatus(String name, List<String> portals, String address, boolean leaseInForce,
            boolean fenced, List<String> owns, Map<String, Long> epochs) {
    }

    private GroupAdmin() {
    }

    /** Records member {@code name} with its portals in an existing group (its address comes when it serves). */
    public static void register(RadosClient client, String name, List<String> portals) throws GatewayException {
        GroupState.requireName("member name", name);
        requireGroup(client);
        try (GroupDocument d = GroupDocument.open(client, 0)) {
            d.update(s -> {
                Member was = s.members().get(name);
                Member now = was == null ? new Member(portals, null, 0, false)
                        : new Member(portals, was.address(), was.instance(), was.fenced(), was.accessGroup(),
                                was.dataAddresses());
                return now.equals(was) ? s : s.with(m -> m.put(name, now), o -> { });
            });
        }
    }

    /**
     * Removes member {@code name} and its ownerships, leaving no trace. Refused while its lease is in force (a
     * running member leaves by stopping its daemon). A member that still owns images and was not fenced is
     * blocklisted first, so that it cannot write after another member claimed them.
     */
    public static void remove(RadosClient client, String name) throws GatewayException {
        requireGroup(client);
        if (MemberLease.inForce(client, name)) {
            throw new GatewayException("member " + name + " holds its lease: stop its daemon first");
        }
        try (GroupDocument d = GroupDocument.open(client, 0)) {
            GroupState s = d.current().state();
            Member m = s.members().get(name);
            if (m == null) {
                throw new GatewayException("no member " + name + " in gateway group " + client.group());
            }
            boolean owns = s.owners().values().stream().anyMatch(o -> o.member().equals(name));
            if (owns && !m.fenced() && m.address() != null) {
                Fencing.blocklist(client, m.address(), Fencing.DEFAULT_EXPIRY);
            }
            d.update(now -> now.with(members -> members.remove(name),
                    owners -> owners.values().removeIf(o -> o.member().equals(name))));
        }
        MemberLease.remove(client, name);
    }

    /**
     * The maintenance move: {@code image} goes from its owner to member {@code to} in one compare-and-swap of the
     * document (epoch + 1), and every member re-derives its states from its watch. Nobody is fenced and no path
     * stops serving: a non-owner serves I/O non-optimized (the image is shared, Ceph orders the writes), so the
     * switch is optimized/non-optimized to non-optimized/optimized with no transitioning state in between.
     * Refused unless the image has an owner whose lease is in force (otherwise failover, which fences, is due)
     * and {@code to} is an unfenced member whose lease is in force. {@code to} becomes the image's preferred owner,
     * so automatic failback does not move it back. Returns the previous owner.
     */
    public static String move(RadosClient client, String image, String to) throws GatewayException {
        GroupState s = requireGroup(client).state();
        Owner was = s.owners().get(image);
        if (was == null) {
            throw new GatewayException("no image " + image + " is owned in gateway group " + client.group()
                    + " (owned: " + String.join(", ", s.owners().keySet()) + ")");
        }
        Member target = s.members().get(to);
        if (target == null) {
            throw new GatewayException("no member " + to + " in gateway group " + client.group());
        }
        if (target.fenced()) {
            throw new GatewayException("member " + to + " is fenced: it cannot take " + image + " until it rejoins");
        }
        if (!MemberLease.inForce(client, to)) {
            throw new GatewayException("member " + to + " holds no lease (its daemon is not serving): it cannot take "
                    + image);
        }
        if (was.member().equals(to)) {
            return to;
        }
        if (!MemberLease.inForce(client, was.member())) {
            throw new GatewayException(image + " is owned by " + was.member()
                    + ", whose lease is not in force: failover moves it");
        }
        try (GroupDocument d = GroupDocument.open(client, 0)) {
            d.update(now -> {
                Owner o = now.owners().get(image);
                if (!was.equals(o)) {
                    throw new GatewayException(image + " changed owner meanwhile (now " + (o == null ? "none"
                            : o.member()) + ")");
                }
                Member m = now.members().get(to);
                if (m == null || m.fenced() || m.instance() != target.instance()) {
                    throw new GatewayException("member " + to + " changed meanwhile: not moving " + image);
                }
                return now.with(members -> { }, owners -> owners.put(image, o.reassignedTo(to)));
            });
        }
        return was.member();
    }

    /** Every member, its lease as the OSD sees it, and the images it owns. */
    public static List<MemberStatus> status(RadosClient client) throws GatewayException {
        GroupState s = requireGroup(client).state();
        List<MemberStatus> out = new ArrayList<>();
        for (var e : s.members().entrySet()) {
            List<String> owns = new ArrayList<>();
            Map<String, Long> epochs = new TreeMap<>();
            s.owners().forEach((image, o) -> {
                if (o.member().equals(e.getKey())) {
                    owns.add(image);
                    epochs.put(image, o.epoch());
                }
            });
            Member m = e.getValue();
            out.add(new MemberStatus(e.getKey(), m.portals(), m.address(), MemberLease.inForce(client, e.getKey()),
                    m.fenced(), owns, epochs));
        }
        return out;
    }

    private static GroupDocument.Snapshot requireGroup(RadosClient client) throws GatewayException {
        GroupDocument.Snapshot s = GroupDocument.read(client);
        if (s.version() == 0) {
            throw new GatewayException("no gateway group " + client.spec.imageSpec() + " (ferry gateway create)");
        }
        return s;
    }
}
