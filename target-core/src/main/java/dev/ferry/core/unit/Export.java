package dev.ferry.core.unit;

import dev.ferry.core.config.Portal;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
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
    private final Set<String> allowedInitiators;
    private final boolean allowAny;

    public Export(String name, String protocol, String alias, List<Portal> portals,
                  NavigableMap<Long, LogicalUnit> units, Set<String> allowedInitiators, boolean allowAny) {
        this.name = name;
        this.protocol = protocol;
        this.alias = alias;
        this.portals = List.copyOf(portals);
        this.units = Collections.unmodifiableNavigableMap(units);
        this.allowedInitiators = allowedInitiators.stream().map(s -> s.toLowerCase(Locale.ROOT))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.allowAny = allowAny;
    }

    public String name() { return name; }
    public String protocol() { return protocol; }
    /** Optional alias, or null. */
    public String alias() { return alias; }
    public List<Portal> portals() { return portals; }
    /** Units by LUN / namespace id, ascending. */
    public NavigableMap<Long, LogicalUnit> units() { return units; }

    /** The unit with this number, or null. */
    public LogicalUnit unit(long id) {
        return units.get(id);
    }

    /** Whether this initiator may log in (names compare case-insensitively, RFC 7143 4.2.7.1 normalises case). */
    public boolean admits(String initiatorName) {
        return allowAny || (initiatorName != null && allowedInitiators.contains(initiatorName.toLowerCase(Locale.ROOT)));
    }
}
