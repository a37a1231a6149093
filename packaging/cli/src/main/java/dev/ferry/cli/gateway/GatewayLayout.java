package dev.ferry.cli.gateway;

import dev.ferry.backend.rbd.RbdSpec;
import dev.ferry.core.access.AccessState;
import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.gateway.GroupState;
import dev.ferry.gateway.GroupState.Member;
import dev.ferry.gateway.GroupState.Owner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a member's targets present the group's ownership, as the {@code accessGroups} of its configuration (the one
 * model the frontends report and enforce). Every member is one access group (SCSI target port group, NVMe ANA
 * group of its ports), numbered by its {@code gateway.accessGroup}; each target that exports group images lists
 * all members' groups, its own with its portals, the others with none (REPORT TARGET PORT GROUPS lists every
 * group; a controller's ANA log reports the group of the port it connected through, which is always this
 * member's). A group's state, per target:
 * <ul>
 *   <li>optimized: the member owns every group image of the target;</li>
 *   <li>non-optimized: it does not (it still serves I/O: the images are shared, Ceph orders the writes);</li>
 *   <li>standby (NVMe inaccessible): this member without a valid lease; it may be fenced any moment, so it
 *       takes no media command;</li>
 *   <li>unavailable: another member a survivor fenced (down or hung).</li>
 * </ul>
 * An image is named by its {@code POOL[/NAMESPACE]/IMAGE}, so the iSCSI and NVMe exports of one image follow one
 * owner. Targets without rbd backstores keep their own access groups.
 */
public final class GatewayLayout {
    private GatewayLayout() {
    }

    /** The group images {@code t} exports ({@code POOL[/NAMESPACE]/IMAGE} of its rbd backstores), in LUN order. */
    public static Set<String> imagesOf(FerryConfig c, TargetConfig t) {
        Map<String, BackstoreConfig> byName = new TreeMap<>();
        c.backstores().forEach(b -> byName.put(b.name(), b));
        Set<String> images = new LinkedHashSet<>();
        for (LunConfig l : t.luns()) {
            BackstoreConfig b = byName.get(l.backstore());
            if (b != null && "rbd".equals(b.type())) {
                images.add(RbdSpec.parse(b.path()).imageSpec());
            }
        }
        return images;
    }

    /** The group images of all of {@code c}'s targets. */
    public static Set<String> images(FerryConfig c) {
        Set<String> all = new LinkedHashSet<>();
        c.targets().forEach(t -> all.addAll(imagesOf(c, t)));
        return all;
    }

    /**
     * {@code c} with the access groups of its group targets set from {@code group}, as member {@code me} (access
     * group {@code myGroup}) sees it with or without a valid lease.
     */
    public static FerryConfig apply(FerryConfig c, GroupState group, String me, int myGroup, boolean leaseValid) {
        List<TargetConfig> targets = new ArrayList<>();
        for (TargetConfig t : c.targets()) {
            Set<String> images = imagesOf(c, t);
            targets.add(images.isEmpty() ? t : t.withAccessGroups(groupsOf(t, images, group, me, myGroup, leaseValid)));
        }
        return c.withTargets(targets);
    }

    private static List<AccessGroupConfig> groupsOf(TargetConfig t, Set<String> images, GroupState group, String me,
            int myGroup, boolean leaseValid) {
        Map<Integer, AccessGroupConfig> byId = new TreeMap<>();
        byId.put(myGroup, new AccessGroupConfig(myGroup, (leaseValid ? stateOf(me, images, group.owners())
                : AccessState.STANDBY).label(), t.portals()));
        for (Map.Entry<String, Member> e : group.members().entrySet()) {
            Member m = e.getValue();
            if (e.getKey().equals(me) || m.accessGroup() < 1 || m.accessGroup() > AccessGroupConfig.MAX_ID
                    || m.accessGroup() == myGroup) {
                continue;
            }
            AccessState s = m.fenced() ? AccessState.UNAVAILABLE : stateOf(e.getKey(), images, group.owners());
            byId.put(m.accessGroup(), new AccessGroupConfig(m.accessGroup(), s.label(), List.of()));
        }
        List<AccessGroupConfig> sorted = new ArrayList<>(byId.values());
        sorted.sort(Comparator.comparingInt(AccessGroupConfig::id));
        return sorted;
    }

    /** Optimized when {@code member} owns every one of {@code images}, else non-optimized. */
    static AccessState stateOf(String member, Set<String> images, Map<String, Owner> owners) {
        for (String image : images) {
            Owner o = owners.get(image);
            if (o == null || !o.member().equals(member)) {
                return AccessState.ACTIVE_NON_OPTIMIZED;
            }
        }
        return AccessState.ACTIVE_OPTIMIZED;
    }
}
