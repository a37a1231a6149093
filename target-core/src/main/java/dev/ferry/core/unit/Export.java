package dev.ferry.core.unit;

import dev.ferry.core.access.AccessGroups;
import dev.ferry.core.access.AccessLayout;
import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.Portal;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * A running export (an iSCSI target, later an NVMe subsystem): its units by number, where it listens, and who may
 * use it. Immutable; a reconfiguration replaces it in the {@link UnitRegistry}.
 */
public final class Export {
    private final String name;
    private final String protocol;
    private final String alias;
    private final List<Portal> portals;
    private final NavigableMap<Long, LogicalUnit> units;
    private final Map<String, InitiatorAccess> access;
    private final boolean allowAny;
    private final IscsiTargetConfig iscsi;
    private final AccessGroups accessGroups;

    /** An export whose listed initiators log in without authentication and see every unit. */
    public Export(String name, String protocol, String alias, List<Portal> portals,
                  NavigableMap<Long, LogicalUnit> units, Set<String> allowedInitiators, boolean allowAny) {
        this(name, protocol, alias, portals, units,
                allowedInitiators.stream().map(InitiatorAccess::open).toList(), allowAny);
    }

    /** An export with the default iSCSI settings. */
    public Export(String name, String protocol, String alias, List<Portal> portals,
                  NavigableMap<Long, LogicalUnit> units, List<InitiatorAccess> acl, boolean allowAny) {
        this(name, protocol, alias, portals, units, acl, allowAny, IscsiTargetConfig.DEFAULTS);
    }

    public Export(String name, String protocol, String alias, List<Portal> portals,
                  NavigableMap<Long, LogicalUnit> units, List<InitiatorAccess> acl, boolean allowAny,
                  IscsiTargetConfig iscsi) {
        this(name, protocol, alias, portals, units, acl, allowAny, iscsi,
                new AccessGroups(name, AccessLayout.allOptimized(portals), (groups, origin) -> { }));
    }

    /** @param accessGroups the export's live access groups (kept across reconfigurations by the core) */
    public Export(String name, String protocol, String alias, List<Portal> portals,
                  NavigableMap<Long, LogicalUnit> units, List<InitiatorAccess> acl, boolean allowAny,
                  IscsiTargetConfig iscsi, AccessGroups accessGroups) {
        this.name = name;
        this.protocol = protocol;
        this.alias = alias;
        this.portals = List.copyOf(portals);
        this.units = Collections.unmodifiableNavigableMap(units);
        this.access = acl.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                a -> a.initiator().toLowerCase(Locale.ROOT), a -> a));
        this.allowAny = allowAny;
        this.iscsi = iscsi;
        this.accessGroups = accessGroups;
    }

    public String name() { return name; }
    public String protocol() { return protocol; }
    /** Optional alias, or null. */
    public String alias() { return alias; }
    public List<Portal> portals() { return portals; }
    /** The iSCSI settings as configured (absent fields: the frontend's defaults). */
    public IscsiTargetConfig iscsi() { return iscsi; }
    /** The access groups of the portals and their live states (ALUA target port groups, NVMe ANA). */
    public AccessGroups accessGroups() { return accessGroups; }
    /** Units by LUN / namespace id, ascending. */
    public NavigableMap<Long, LogicalUnit> units() { return units; }

    /** The unit with this number, or null. */
    public LogicalUnit unit(long id) {
        return units.get(id);
    }

    /** Whether this initiator may log in (names compare case-insensitively, RFC 7143 4.2.7.1 normalises case). */
    public boolean admits(String initiatorName) {
        return access(initiatorName) != null;
    }

    /**
     * The access rules for this initiator: its ACL entry when listed, open access when the export admits any
     * initiator, else null (not allowed).
     */
    public InitiatorAccess access(String initiatorName) {
        InitiatorAccess listed = initiatorName == null ? null : access.get(initiatorName.toLowerCase(Locale.ROOT));
        if (listed != null) {
            return listed;
        }
        return allowAny && initiatorName != null ? InitiatorAccess.open(initiatorName) : null;
    }

    /**
     * Whether every initiator is admitted here exactly when it is in {@code other} and sees the same unit numbers
     * (credentials aside): when not, connected initiators must be told their LUN inventory changed.
     */
    public boolean sameVisibility(Export other) {
        if (allowAny != other.allowAny || !access.keySet().equals(other.access.keySet())) {
            return false;
        }
        return access.entrySet().stream().allMatch(
                e -> java.util.Objects.equals(e.getValue().visibleUnits(), other.access.get(e.getKey()).visibleUnits()));
    }

    /** The units this initiator sees (its LUN mask applied), ascending; empty when it is not admitted. */
    public NavigableMap<Long, LogicalUnit> unitsFor(String initiatorName) {
        InitiatorAccess a = access(initiatorName);
        if (a == null) {
            return Collections.emptyNavigableMap();
        }
        if (a.visibleUnits() == null) {
            return units;
        }
        java.util.TreeMap<Long, LogicalUnit> m = new java.util.TreeMap<>(units);
        m.keySet().retainAll(a.visibleUnits());
        return Collections.unmodifiableNavigableMap(m);
    }
}
