package dev.ferry.gateway;

import dev.ferry.gateway.GroupState.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * Administering a gateway group from outside it (what {@code ferry gateway create|join|leave|status} do): a member
 * registered here gets its client address, instance and lease when its daemon serves ({@link GatewayMember#join}).
 */
public final class GroupAdmin {
    /** One member as status shows it. */
    public record MemberStatus(String name, List<String> portals, String address, boolean leaseInForce,
            boolean fenced, List<String> owns) {
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
    }

    /** Every member, its lease as the OSD sees it, and the images it owns. */
    public static List<MemberStatus> status(RadosClient client) throws GatewayException {
        GroupState s = requireGroup(client).state();
        List<MemberStatus> out = new ArrayList<>();
        for (var e : s.members().entrySet()) {
            List<String> owns = new ArrayList<>();
            s.owners().forEach((image, o) -> {
                if (o.member().equals(e.getKey())) {
                    owns.add(image);
                }
            });
            Member m = e.getValue();
            out.add(new MemberStatus(e.getKey(), m.portals(), m.address(), MemberLease.inForce(client, e.getKey()),
                    m.fenced(), owns));
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
