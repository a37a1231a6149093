package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The gateway group a daemon is a member of (optional section {@code gateway}): its targets' rbd images are then
 * served with access states that follow the group's ownership (owner active/optimized on its portals, the other
 * members non-optimized), and fail over to another member when the owner's lease expires.
 *
 * @param group        {@code POOL[/NAMESPACE]/GROUP}, created with {@code ferry gateway create}
 * @param conf         ceph.conf of the group's cluster (default: Ceph's search path)
 * @param id           Ceph client id (default admin)
 * @param keyring      keyring of that client
 * @param member       this daemon's name in the group
 * @param accessGroup  this member's access group id (1-128, SCSI target port group and NVMe ANA port group of its
 *                     portals); unique in the group, the same for every target
 * @param leaseSeconds the member lease (default 15 s): what bounds failover
 * @param failback     {@code manual} (default: an image stays where failover put it until {@code ferry gateway
 *                     move}) or {@code automatic} (an owner hands an image back to its preferred owner, the member
 *                     that first claimed it, once that member's lease has been in force {@code failbackSeconds})
 * @param failbackSeconds how long the preferred owner's lease must be seen in force first (default 30 s)
 * @param portals      this member's portals per protocol ({@code iscsi}, {@code nvme}): where it serves the group's
 *                     targets of that protocol (they are shared, the portals are not); a protocol not named here
 *                     takes the portals this file's targets of that protocol have
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayConfig(String group, String conf, String id, String keyring, String member,
        Integer accessGroup, Integer leaseSeconds, String failback, Integer failbackSeconds,
        Map<String, List<String>> portals) {
    public static final int DEFAULT_LEASE_SECONDS = 15;
    public static final String FAILBACK_MANUAL = "manual";
    public static final String FAILBACK_AUTOMATIC = "automatic";
    public static final int DEFAULT_FAILBACK_SECONDS = 30;
    public static final int MAX_FAILBACK_SECONDS = 3600;
    /** Below 3 s a renewal (every fifth of the lease) would be due more often than a loaded monitor answers. */
    public static final int MIN_LEASE_SECONDS = 3;
    public static final int MAX_LEASE_SECONDS = 300;
    private static final String NAME = "[A-Za-z0-9._-]{1,64}";

    /** A section without a failback policy (manual). */
    public GatewayConfig(String group, String conf, String id, String keyring, String member, Integer accessGroup,
            Integer leaseSeconds) {
        this(group, conf, id, keyring, member, accessGroup, leaseSeconds, null, null, null);
    }

    public GatewayConfig {
        portals = portals == null ? null : Map.copyOf(portals);
    }

    /** The portals this section names for {@code protocol}; empty when it names none. */
    public List<String> portalsOf(String protocol) {
        List<String> p = portals == null ? null : portals.get(protocol);
        return p == null ? List.of() : p;
    }

    /** Whether an owner hands images back to their preferred owner by itself. */
    public boolean automaticFailback() {
        return FAILBACK_AUTOMATIC.equals(failback);
    }

    public int failbackSecondsOrDefault() {
        return failbackSeconds == null ? DEFAULT_FAILBACK_SECONDS : failbackSeconds;
    }

    public int leaseSecondsOrDefault() {
        return leaseSeconds == null ? DEFAULT_LEASE_SECONDS : leaseSeconds;
    }

    /** Adds what is wrong with this section to {@code problems}. */
    void check(List<String> problems) {
        String[] names = group == null ? new String[0] : group.split("/", -1);
        if (group == null) {
            problems.add("gateway.group: is missing (POOL[/NAMESPACE]/GROUP)");
        } else if (names.length < 2 || names.length > 3 || !group.matches("[^\\s:@]+")) {
            problems.add("gateway.group: '" + group + "' is not POOL/GROUP or POOL/NAMESPACE/GROUP");
        } else if (!names[names.length - 1].matches(NAME)) {
            problems.add("gateway.group: the group name '" + names[names.length - 1]
                    + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (member == null || !member.matches(NAME)) {
            problems.add("gateway.member: '" + member + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (accessGroup == null || accessGroup < 1 || accessGroup > AccessGroupConfig.MAX_ID) {
            problems.add("gateway.accessGroup: " + accessGroup + " must be 1-" + AccessGroupConfig.MAX_ID
                    + " (this member's port group, unique in the group)");
        }
        if (leaseSecondsOrDefault() < MIN_LEASE_SECONDS || leaseSecondsOrDefault() > MAX_LEASE_SECONDS) {
            problems.add("gateway.leaseSeconds: " + leaseSeconds + " must be " + MIN_LEASE_SECONDS + "-"
                    + MAX_LEASE_SECONDS);
        }
        for (String[] f : new String[][] {{"conf", conf}, {"keyring", keyring}}) {
            if (f[1] != null && (f[1].isEmpty() || f[1].contains(":"))) {
                problems.add("gateway." + f[0] + ": '" + f[1] + "' must be a file name without ':'");
            }
        }
        if (id != null && !id.matches("[^\\s:]+")) {
            problems.add("gateway.id: '" + id + "' is not a Ceph client id");
        }
        if (failback != null && !failback.equals(FAILBACK_MANUAL) && !failback.equals(FAILBACK_AUTOMATIC)) {
            problems.add("gateway.failback: '" + failback + "' must be manual or automatic");
        }
        if (portals != null) {
            for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(portals).entrySet()) {
                if (!TargetConfig.ISCSI.equals(e.getKey()) && !TargetConfig.NVME.equals(e.getKey())) {
                    problems.add("gateway.portals: '" + e.getKey() + "' is not a protocol (iscsi or nvme)");
                } else if (e.getValue() == null || e.getValue().isEmpty() || e.getValue().contains(null)) {
                    problems.add("gateway.portals." + e.getKey() + ": must list at least one HOST:PORT");
                }
            }
        }
        if (failbackSecondsOrDefault() < 0 || failbackSecondsOrDefault() > MAX_FAILBACK_SECONDS) {
            problems.add("gateway.failbackSeconds: " + failbackSeconds + " must be 0-" + MAX_FAILBACK_SECONDS);
        }
    }
}
