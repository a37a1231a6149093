package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One export: an iSCSI target (protocol {@code iscsi}, name an IQN/EUI/NAA name) or an NVMe subsystem (protocol
 * {@code nvme}, name an NQN).
 *
 * @param name               target name (IQN) or subsystem NQN
 * @param protocol           {@code iscsi} (default) or {@code nvme}
 * @param portals            listening addresses {@code host:port} (iSCSI portals, NVMe/TCP ports); discovery
 *                           advertises them
 * @param luns               unit number (LUN, or NVMe namespace id from 1) to backstore
 * @param acls               initiators (IQNs) or hosts (host NQNs) allowed to connect
 * @param allowAnyInitiator  demo mode: admit every initiator (no ACL needed)
 * @param alias              optional human-readable alias (iSCSI TargetAlias)
 * @param iscsi              optional iSCSI settings (limits and negotiation offers); absent = the defaults
 * @param accessGroups       optional access groups of the portals (explicit ALUA target port groups, NVMe ANA
 *                           states); absent = every portal in group 1, active/optimized
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetConfig(
        String name,
        String protocol,
        List<String> portals,
        List<LunConfig> luns,
        List<AclConfig> acls,
        Boolean allowAnyInitiator,
        String alias,
        IscsiTargetConfig iscsi,
        List<AccessGroupConfig> accessGroups) {

    public static final String ISCSI = "iscsi";
    public static final String NVME = "nvme";

    /** A target with the default iSCSI settings. */
    public TargetConfig(String name, String protocol, List<String> portals, List<LunConfig> luns, List<AclConfig> acls,
                        Boolean allowAnyInitiator, String alias) {
        this(name, protocol, portals, luns, acls, allowAnyInitiator, alias, null);
    }

    /** A target without access groups. */
    public TargetConfig(String name, String protocol, List<String> portals, List<LunConfig> luns, List<AclConfig> acls,
                        Boolean allowAnyInitiator, String alias, IscsiTargetConfig iscsi) {
        this(name, protocol, portals, luns, acls, allowAnyInitiator, alias, iscsi, null);
    }

    /** This target on other portals. */
    public TargetConfig withPortals(List<String> next) {
        return new TargetConfig(name, protocol, next, luns, acls, allowAnyInitiator, alias, iscsi, accessGroups);
    }

    /** This target with other access groups. */
    public TargetConfig withAccessGroups(List<AccessGroupConfig> groups) {
        return new TargetConfig(name, protocol, portals, luns, acls, allowAnyInitiator, alias, iscsi,
                groups == null || groups.isEmpty() ? null : groups);
    }

    public TargetConfig {
        portals = portals == null ? List.of() : List.copyOf(portals);
        luns = luns == null ? List.of() : List.copyOf(luns);
        acls = acls == null ? List.of() : List.copyOf(acls);
        accessGroups = accessGroups == null ? null : List.copyOf(accessGroups);
    }

    /** The configured access groups; empty when none. */
    public List<AccessGroupConfig> accessGroupsOrEmpty() {
        return accessGroups == null ? List.of() : accessGroups;
    }

    public String protocolOrDefault() {
        return protocol == null ? ISCSI : protocol;
    }

    /** The iSCSI settings, with every field absent when none were given. */
    public IscsiTargetConfig iscsiOrDefault() {
        return iscsi == null ? IscsiTargetConfig.DEFAULTS : iscsi;
    }

    public boolean allowAnyInitiatorOrDefault() {
        return allowAnyInitiator != null && allowAnyInitiator;
    }
}
