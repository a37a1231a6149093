package dev.ferry.core.config;

import dev.ferry.core.access.AccessState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a target's {@code accessGroups}: ids, states, and that each of its portals is in at most one group. */
final class AccessGroupsValidator {

    private AccessGroupsValidator() {
    }

    static void check(String at, TargetConfig t, int defaultPort, List<String> problems) {
        Set<Portal> targetPortals = new HashSet<>();
        for (String p : t.portals()) {
            try {
                targetPortals.add(Portal.parse(String.valueOf(p), defaultPort));
            } catch (IllegalArgumentException e) {
                // reported with the portals
            }
        }
        Set<Integer> ids = new HashSet<>();
        Map<Portal, Integer> groupOf = new HashMap<>();
        List<AccessGroupConfig> groups = t.accessGroupsOrEmpty();
        for (int i = 0; i < groups.size(); i++) {
            AccessGroupConfig g = groups.get(i);
            String gat = at + ".accessGroups[" + i + "]";
            if (g == null) {
                problems.add(gat + ": is null");
                continue;
            }
            if (g.id() < 1 || g.id() > AccessGroupConfig.MAX_ID) {
                problems.add(gat + ".id: " + g.id() + " must be 1-" + AccessGroupConfig.MAX_ID);
            } else if (!ids.add(g.id())) {
                problems.add(gat + ".id: group " + g.id() + " is listed twice");
            }
            if (g.state() != null && AccessState.parse(g.state()) == null) {
                problems.add(gat + ".state: unknown state '" + g.state() + "' (one of " + AccessState.names() + ")");
            }
            for (int j = 0; j < g.portals().size(); j++) {
                String pat = gat + ".portals[" + j + "]";
                Portal portal;
                try {
                    portal = Portal.parse(String.valueOf(g.portals().get(j)), defaultPort);
                } catch (IllegalArgumentException e) {
                    problems.add(pat + ": " + e.getMessage());
                    continue;
                }
                if (!targetPortals.contains(portal)) {
                    problems.add(pat + ": " + portal + " is not one of the target's portals " + t.portals());
                } else {
                    Integer other = groupOf.putIfAbsent(portal, g.id());
                    if (other != null) {
                        problems.add(pat + ": " + portal + " is already in group " + other
                                + " (a portal is in one group)");
                    }
                }
            }
        }
    }
}
