package dev.ferry.cli.gateway;

import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.TargetConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A member's configuration as two parts: what the group shares (its backstores and targets: subsystems,
 * namespaces, LUNs, ACLs, secret file references) and what is the member's own (its portals, the gateway section,
 * the state directory; its access states come from {@link GatewayLayout}). Portals are per member and protocol:
 * every group target of a protocol is served on all of the member's portals of that protocol. A secret file in the
 * member's secrets directory (where the daemon keeps secrets given on standard input) is shared as a reference
 * {@code group-secret:NAME}, which each member resolves to the file of that name in its own secrets directory
 * (written from the group's copy, {@link dev.ferry.gateway.GroupSecrets}); any other secret file path is shared
 * as it is and must exist on every member.
 */
final class MemberConfig {
    private MemberConfig() {
    }

    /** How the shared configuration refers to a secret each member keeps in its own secrets directory. */
    static final String GROUP_SECRET = "group-secret:";

    /**
     * What the group shares of {@code c}: its backstores, and its targets without portals and access groups, with
     * the secrets of {@code secrets} (the member's secrets directory) as references.
     */
    static FerryConfig shared(FerryConfig c, Path secrets) {
        List<TargetConfig> targets = c.targets().stream()
                .map(t -> withSecrets(t.withPortals(List.of()).withAccessGroups(null), f -> toReference(f, secrets)))
                .toList();
        return new FerryConfig(c.backstores(), targets, null, null);
    }

    /** The names of the group secrets {@code shared} refers to. */
    static Set<String> secretNames(FerryConfig shared) {
        Set<String> names = new TreeSet<>();
        for (TargetConfig t : shared.targets()) {
            for (AclConfig a : t.acls()) {
                for (String f : Arrays.asList(a.chapSecretFile(), a.mutualChapSecretFile(), a.dhchapSecretFile(),
                        a.dhchapCtrlSecretFile())) {
                    if (f != null && f.startsWith(GROUP_SECRET)) {
                        names.add(f.substring(GROUP_SECRET.length()));
                    }
                }
            }
        }
        return names;
    }

    private static String toReference(String file, Path secrets) {
        if (file == null) {
            return null;
        }
        Path p = Path.of(file);
        return secrets.equals(p.getParent()) ? GROUP_SECRET + p.getFileName() : file;
    }

    private static String fromReference(String file, Path secrets) {
        return file != null && file.startsWith(GROUP_SECRET)
                ? secrets.resolve(file.substring(GROUP_SECRET.length())).toString() : file;
    }

    private static TargetConfig withSecrets(TargetConfig t, UnaryOperator<String> map) {
        List<AclConfig> acls = t.acls().stream().map(a -> new AclConfig(a.initiator(), a.chapUser(),
                map.apply(a.chapSecretFile()), a.mutualChapUser(), map.apply(a.mutualChapSecretFile()), a.luns(),
                map.apply(a.dhchapSecretFile()), map.apply(a.dhchapCtrlSecretFile()))).toList();
        return new TargetConfig(t.name(), t.protocol(), t.portals(), t.luns(), acls, t.allowAnyInitiator(),
                t.alias(), t.iscsi(), t.accessGroups());
    }

    /**
     * The portals member configuration {@code c} serves each protocol on: those its gateway section names, else
     * those its targets of that protocol have.
     */
    static Map<String, List<String>> portals(FerryConfig c) {
        Map<String, Set<String>> byProtocol = new TreeMap<>();
        for (TargetConfig t : c.targets()) {
            byProtocol.computeIfAbsent(t.protocolOrDefault(), p -> new LinkedHashSet<>()).addAll(t.portals());
        }
        for (String protocol : List.of(TargetConfig.ISCSI, TargetConfig.NVME)) {
            List<String> named = c.gateway() == null ? List.of() : c.gateway().portalsOf(protocol);
            if (!named.isEmpty()) {
                byProtocol.put(protocol, new LinkedHashSet<>(named));
            }
        }
        Map<String, List<String>> portals = new TreeMap<>();
        byProtocol.forEach((p, s) -> {
            if (!s.isEmpty()) {
                portals.put(p, List.copyOf(s));
            }
        });
        return portals;
    }

    /** Every portal of {@link #portals}, once. */
    static List<String> allPortals(FerryConfig c) {
        Set<String> all = new LinkedHashSet<>();
        portals(c).values().forEach(all::addAll);
        return List.copyOf(all);
    }

    /**
     * What member {@code own} serves of the group's {@code shared} configuration: the group's backstores and
     * targets on {@code own}'s portals, with {@code own}'s gateway section and state directory. A target of a
     * protocol {@code own} has no portal for is not served by this member ({@link #unserved}). Group secret
     * references become files of {@code secrets} (which the caller writes).
     */
    static FerryConfig merge(FerryConfig own, FerryConfig shared, Path secrets) {
        Map<String, List<String>> portals = portals(own);
        List<TargetConfig> targets = new ArrayList<>();
        for (TargetConfig t : shared.targets()) {
            List<String> p = portals.get(t.protocolOrDefault());
            if (p != null) {
                targets.add(withSecrets(t.withPortals(p).withAccessGroups(null), f -> fromReference(f, secrets)));
            }
        }
        return new FerryConfig(shared.backstores(), targets, own.stateDirectory(), own.gateway());
    }

    /** The group targets {@link #merge} leaves out because {@code own} has no portal for their protocol. */
    static List<String> unserved(FerryConfig own, FerryConfig shared) {
        Map<String, List<String>> portals = portals(own);
        return shared.targets().stream().filter(t -> !portals.containsKey(t.protocolOrDefault()))
                .map(TargetConfig::name).toList();
    }
}
