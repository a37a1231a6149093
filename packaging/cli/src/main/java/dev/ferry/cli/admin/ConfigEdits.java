package dev.ferry.cli.admin;

import dev.ferry.core.BackstoreSizes;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The admin changes as functions from one configuration to the next. They refuse only what they cannot express
 * (a name that is not there, a duplicate); everything else is left to the daemon's validator, so a command line
 * and a configuration file are held to the same rules.
 */
final class ConfigEdits {
    private ConfigEdits() {
    }

    /** Changes one target (iSCSI target or NVMe subsystem). */
    interface TargetEdit {
        TargetConfig apply(TargetConfig t) throws Refused;
    }

    static FerryConfig addBackstore(FerryConfig c, BackstoreConfig b) throws Refused {
        if (c.backstores().stream().anyMatch(x -> x.name().equals(b.name()))) {
            throw new Refused("a backstore named '" + b.name() + "' exists already");
        }
        List<BackstoreConfig> list = new ArrayList<>(c.backstores());
        list.add(b);
        return c.withBackstores(list);
    }

    static FerryConfig deleteBackstore(FerryConfig c, String name) throws Refused {
        List<BackstoreConfig> list = new ArrayList<>(c.backstores());
        if (!list.removeIf(b -> b.name().equals(name))) {
            throw new Refused("no backstore named '" + name + "'");
        }
        for (TargetConfig t : c.targets()) {
            for (LunConfig l : t.luns()) {
                if (name.equals(l.backstore())) {
                    throw new Refused("backstore '" + name + "' is unit " + l.id() + " of " + t.name()
                            + "; remove that first");
                }
            }
        }
        return c.withBackstores(list);
    }

    /**
     * Gives a backstore a new size; whether it may shrink is the daemon's to judge. A block backstore that exports
     * its whole device has the device's size, so it is refused here with what to do instead.
     */
    static FerryConfig resizeBackstore(FerryConfig c, String name, String size) throws Refused {
        List<BackstoreConfig> list = new ArrayList<>(c.backstores());
        for (int i = 0; i < list.size(); i++) {
            BackstoreConfig b = list.get(i);
            if (b.name().equals(name)) {
                if ("block".equals(b.type()) && b.size() == null) {
                    throw new Refused("backstore '" + name + "' exports its whole device, so it has the device's"
                            + " size: grow the device, then run 'ferry backstore resize " + name + "' without a size");
                }
                list.set(i, BackstoreSizes.withSize(b, size));
                return c.withBackstores(list);
            }
        }
        throw new Refused("no backstore named '" + name + "'");
    }

    static FerryConfig addTarget(FerryConfig c, TargetConfig t) throws Refused {
        if (find(c, t.protocolOrDefault(), t.name()) >= 0) {
            throw new Refused(label(t.protocolOrDefault()) + " '" + t.name() + "' exists already");
        }
        List<TargetConfig> list = new ArrayList<>(c.targets());
        list.add(t);
        return c.withTargets(list);
    }

    static FerryConfig deleteTarget(FerryConfig c, String protocol, String name) throws Refused {
        int i = existing(c, protocol, name);
        List<TargetConfig> list = new ArrayList<>(c.targets());
        list.remove(i);
        return c.withTargets(list);
    }

    static FerryConfig editTarget(FerryConfig c, String protocol, String name, TargetEdit edit) throws Refused {
        int i = existing(c, protocol, name);
        List<TargetConfig> list = new ArrayList<>(c.targets());
        list.set(i, edit.apply(list.get(i)));
        return c.withTargets(list);
    }

    /** Maps {@code backstore} as unit {@code id}, or as the lowest free unit number when id is null. */
    static TargetConfig addUnit(TargetConfig t, String backstore, Long id) throws Refused {
        long first = TargetConfig.NVME.equals(t.protocolOrDefault()) ? 1 : 0;
        long n = id != null ? id : first;
        while (id == null && hasUnit(t, n)) {
            n++;
        }
        if (hasUnit(t, n)) {
            throw new Refused(t.name() + " has a unit " + n + " already");
        }
        List<LunConfig> luns = new ArrayList<>(t.luns());
        luns.add(new LunConfig(n, backstore));
        luns.sort((a, b) -> Long.compare(a.id(), b.id()));
        return copy(t, t.portals(), luns, t.acls(), t.allowAnyInitiator());
    }

    static TargetConfig removeUnit(TargetConfig t, long id) throws Refused {
        List<LunConfig> luns = new ArrayList<>(t.luns());
        if (!luns.removeIf(l -> l.id() == id)) {
            throw new Refused(t.name() + " has no unit " + id);
        }
        return copy(t, t.portals(), luns, t.acls(), t.allowAnyInitiator());
    }

    static TargetConfig addAcl(TargetConfig t, AclConfig a) throws Refused {
        if (t.acls().stream().anyMatch(x -> same(x.initiator(), a.initiator()))) {
            throw new Refused(a.initiator() + " is in the ACL of " + t.name() + " already");
        }
        List<AclConfig> acls = new ArrayList<>(t.acls());
        acls.add(a);
        return copy(t, t.portals(), t.luns(), acls, t.allowAnyInitiator());
    }

    static TargetConfig removeAcl(TargetConfig t, String initiator) throws Refused {
        List<AclConfig> acls = new ArrayList<>(t.acls());
        if (!acls.removeIf(a -> same(a.initiator(), initiator))) {
            throw new Refused(initiator + " is not in the ACL of " + t.name());
        }
        return copy(t, t.portals(), t.luns(), acls, t.allowAnyInitiator());
    }

    static TargetConfig addPortal(TargetConfig t, String portal) throws Refused {
        if (t.portals().contains(portal)) {
            throw new Refused(t.name() + " has portal " + portal + " already");
        }
        List<String> portals = new ArrayList<>(t.portals());
        portals.add(portal);
        return copy(t, portals, t.luns(), t.acls(), t.allowAnyInitiator());
    }

    static TargetConfig removePortal(TargetConfig t, String portal) throws Refused {
        List<String> portals = new ArrayList<>(t.portals());
        if (!portals.remove(portal)) {
            throw new Refused(t.name() + " has no portal " + portal + " (it has " + t.portals() + ")");
        }
        return copy(t, portals, t.luns(), t.acls(), t.allowAnyInitiator());
    }

    /**
     * The target's iSCSI settings with the given ones in place (absent fields keep their value, or go back to the
     * defaults with {@code reset}); settings that are all defaults are left out of the configuration.
     */
    static TargetConfig setIscsi(TargetConfig t, IscsiTargetConfig given, boolean reset) {
        IscsiTargetConfig old = reset ? IscsiTargetConfig.DEFAULTS : t.iscsiOrDefault();
        IscsiTargetConfig merged = new IscsiTargetConfig(
                or(given.maxSessions(), old.maxSessions()),
                or(given.commandsPerSession(), old.commandsPerSession()),
                or(given.maxRecvDataSegmentLength(), old.maxRecvDataSegmentLength()),
                or(given.maxBurstLength(), old.maxBurstLength()),
                or(given.firstBurstLength(), old.firstBurstLength()),
                or(given.maxOutstandingR2T(), old.maxOutstandingR2T()),
                or(given.immediateData(), old.immediateData()),
                or(given.initialR2T(), old.initialR2T()));
        return new TargetConfig(t.name(), t.protocol(), t.portals(), t.luns(), t.acls(), t.allowAnyInitiator(),
                t.alias(), merged.equals(IscsiTargetConfig.DEFAULTS) ? null : merged, t.accessGroups());
    }

    private static <T> T or(T given, T old) {
        return given != null ? given : old;
    }

    private static TargetConfig copy(TargetConfig t, List<String> portals, List<LunConfig> luns, List<AclConfig> acls,
                                     Boolean allowAny) {
        return new TargetConfig(t.name(), t.protocol(), portals, luns, acls, allowAny, t.alias(), t.iscsi(),
                t.accessGroups()).withAccessGroups(AccessGroupEdits.withoutGonePortals(t, portals));
    }

    private static boolean hasUnit(TargetConfig t, long id) {
        return t.luns().stream().anyMatch(l -> l.id() == id);
    }

    private static int existing(FerryConfig c, String protocol, String name) throws Refused {
        int i = find(c, protocol, name);
        if (i < 0) {
            throw new Refused("no " + label(protocol) + " named '" + name + "'");
        }
        return i;
    }

    private static int find(FerryConfig c, String protocol, String name) {
        for (int i = 0; i < c.targets().size(); i++) {
            TargetConfig t = c.targets().get(i);
            if (t.protocolOrDefault().equals(protocol) && same(t.name(), name)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean same(String a, String b) {
        return a != null && b != null && a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    static String label(String protocol) {
        return TargetConfig.NVME.equals(protocol) ? "NVMe subsystem" : "iSCSI target";
    }
}
