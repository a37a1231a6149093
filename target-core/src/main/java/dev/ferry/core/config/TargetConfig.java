package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One export: an iSCSI target (protocol {@code iscsi}, name an IQN/EUI/NAA name).
 *
 * @param name               target name
 * @param protocol           {@code iscsi}
 * @param portals            listening addresses {@code host:port}; discovery advertises them
 * @param luns               unit number to backstore
 * @param acls               initiators allowed to log in
 * @param allowAnyInitiator  demo mode: admit every initiator (no ACL needed)
 * @param alias              optional human-readable alias (iSCSI TargetAlias)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TargetConfig(
        String name,
        String protocol,
        List<String> portals,
        List<LunConfig> luns,
        List<AclConfig> acls,
        Boolean allowAnyInitiator,
        String alias) {

    public static final String ISCSI = "iscsi";

    public TargetConfig {
        portals = portals == null ? List.of() : List.copyOf(portals);
        luns = luns == null ? List.of() : List.copyOf(luns);
        acls = acls == null ? List.of() : List.copyOf(acls);
    }

    public String protocolOrDefault() {
        return protocol == null ? ISCSI : protocol;
    }

    public boolean allowAnyInitiatorOrDefault() {
        return allowAnyInitiator != null && allowAnyInitiator;
    }
}
