package dev.ferry.core.access;

import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.Portal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which access group each portal of one export is in, and each group's state. Immutable; {@link AccessGroups}
 * holds the current one.
 *
 * @param groups   by ascending id; a group with no portal is listed only when configured
 * @param explicit whether groups were configured (SCSI then reports explicit ALUA and accepts SET TARGET PORT
 *                 GROUPS); false for the default layout, everything in group 1 active/optimized
 */
public record AccessLayout(List<Group> groups, boolean explicit) {

    /** One group: its id (SCSI TARGET PORT GROUP), state, and portals. */
    public record Group(int id, AccessState state, List<Portal> portals) {
        public Group {
            portals = List.copyOf(portals);
        }
    }

    public AccessLayout {
        groups = List.copyOf(groups);
    }

    /** The default: every portal in group 1, active/optimized. */
    public static AccessLayout allOptimized(List<Portal> portals) {
        return new AccessLayout(List.of(new Group(AccessGroupConfig.DEFAULT_ID, AccessState.ACTIVE_OPTIMIZED, portals)),
                false);
    }

    /**
     * The layout a validated configuration describes: its groups, plus group 1 (active/optimized) for the portals
     * in none when group 1 is not configured.
     */
    public static AccessLayout of(List<AccessGroupConfig> configured, List<Portal> portals, int defaultPort) {
        if (configured.isEmpty()) {
            return allOptimized(portals);
        }
        Map<Integer, Group> byId = new LinkedHashMap<>();
        List<Portal> unlisted = new ArrayList<>(portals);
        for (AccessGroupConfig g : configured) {
            List<Portal> members = g.portals().stream().map(p -> Portal.parse(p, defaultPort)).toList();
            unlisted.removeAll(members);
            AccessState state = g.state() == null ? AccessState.ACTIVE_OPTIMIZED : AccessState.parse(g.state());
            byId.put(g.id(), new Group(g.id(), state, members));
        }
        if (!unlisted.isEmpty()) {
            Group first = byId.get(AccessGroupConfig.DEFAULT_ID);
            List<Portal> members = new ArrayList<>(first == null ? List.of() : first.portals());
            members.addAll(unlisted);
            byId.put(AccessGroupConfig.DEFAULT_ID, new Group(AccessGroupConfig.DEFAULT_ID,
                    first == null ? AccessState.ACTIVE_OPTIMIZED : first.state(), members));
        }
        List<Group> sorted = new ArrayList<>(byId.values());
        sorted.sort(Comparator.comparingInt(Group::id));
        return new AccessLayout(sorted, true);
    }

    /** The group with this id, or null. */
    public Group group(int id) {
        for (int i = 0; i < groups.size(); i++) { // indexed: read per command, so no iterator is allocated
            Group g = groups.get(i);
            if (g.id() == id) {
                return g;
            }
        }
        return null;
    }

    /** The group a portal of the export is in; group 1 (or the first) for null or a portal the layout does not know. */
    public Group groupOf(Portal portal) {
        for (int i = 0; portal != null && i < groups.size(); i++) {
            Group g = groups.get(i);
            if (g.portals().contains(portal)) {
                return g;
            }
        }
        Group first = group(AccessGroupConfig.DEFAULT_ID);
        return first != null ? first : groups.get(0);
    }

    /** This layout with some groups in other states. */
    AccessLayout withStates(Map<Integer, AccessState> states) {
        return new AccessLayout(groups.stream()
                .map(g -> states.containsKey(g.id()) ? new Group(g.id(), states.get(g.id()), g.portals()) : g)
                .toList(), explicit);
    }
}
