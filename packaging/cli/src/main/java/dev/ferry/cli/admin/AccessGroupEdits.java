package dev.ferry.cli.admin;

import dev.ferry.core.access.AccessState;
import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.ConfigValidator;
import dev.ferry.core.config.Portal;
import dev.ferry.core.config.TargetConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Edits of a target's access groups (ALUA target port groups, NVMe ANA groups of ports). Portals are written in
 * their normal form ({@link Portal#toString()}), so one portal is never in a group twice under two spellings.
 */
final class AccessGroupEdits {
    private AccessGroupEdits() {
    }

    /** Puts one of the target's portals in group {@code id} (created in the optimized state when new). */
    static TargetConfig assign(TargetConfig t, String portalText, int id) throws Refused {
        Portal portal = parse(t, portalText);
        if (t.portals().stream().noneMatch(p -> parse(t, p).equals(portal))) {
            throw new Refused(portal + " is not a portal of " + t.name() + " " + t.portals());
        }
        List<AccessGroupConfig> groups = new ArrayList<>();
        boolean placed = false;
        for (AccessGroupConfig g : t.accessGroupsOrEmpty()) {
            List<String> members = new ArrayList<>(g.portals());
            members.removeIf(p -> parse(t, p).equals(portal));
            if (g.id() == id) {
                members.add(portal.toString());
                placed = true;
            }
            groups.add(new AccessGroupConfig(g.id(), g.state(), members));
        }
        if (!placed) {
            groups.add(new AccessGroupConfig(id, AccessState.ACTIVE_OPTIMIZED.label(), List.of(portal.toString())));
        }
        return t.withAccessGroups(groups);
    }

    /** Sets the state of group {@code id}; group 1 (the portals in no group) exists without being configured. */
    static TargetConfig setState(TargetConfig t, int id, String stateName) throws Refused {
        AccessState state = AccessState.parse(stateName);
        if (state == null) {
            throw new Refused("unknown state '" + stateName + "' (one of " + AccessState.names() + ")");
        }
        List<AccessGroupConfig> groups = new ArrayList<>();
        boolean found = false;
        for (AccessGroupConfig g : t.accessGroupsOrEmpty()) {
            found |= g.id() == id;
            groups.add(g.id() == id ? new AccessGroupConfig(id, state.label(), g.portals()) : g);
        }
        if (!found) {
            if (id != AccessGroupConfig.DEFAULT_ID) {
                throw new Refused(t.name() + " has no access group " + id + "; put a port in it first");
            }
            groups.add(new AccessGroupConfig(id, state.label(), List.of()));
        }
        return t.withAccessGroups(groups);
    }

    /** The target's groups without the portals it no longer has (a removed portal leaves its group). */
    static List<AccessGroupConfig> withoutGonePortals(TargetConfig t, List<String> portals) {
        List<AccessGroupConfig> groups = new ArrayList<>();
        for (AccessGroupConfig g : t.accessGroupsOrEmpty()) {
            List<String> kept = g.portals().stream()
                    .filter(p -> portals.stream().anyMatch(q -> sameOrUnparsable(t, p, q))).toList();
            groups.add(new AccessGroupConfig(g.id(), g.state(), kept));
        }
        return groups;
    }

    private static boolean sameOrUnparsable(TargetConfig t, String a, String b) {
        try {
            return parse(t, a).equals(parse(t, b));
        } catch (IllegalArgumentException e) {
            return a.equals(b); // left for the validator to name
        }
    }

    private static Portal parse(TargetConfig t, String text) {
        return Portal.parse(text, ConfigValidator.defaultPort(t.protocolOrDefault()));
    }
}
