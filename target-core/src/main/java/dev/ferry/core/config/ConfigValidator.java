package dev.ferry.core.config;

import dev.ferry.core.backend.BackendFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a whole configuration before anything is opened. Every problem is reported (not just the first), each
 * prefixed with the JSON path of the field it concerns.
 */
public final class ConfigValidator {
    public static final int ISCSI_DEFAULT_PORT = 3260;
    /** NVMe/TCP transport 1.0 section 3.4: the IANA port for NVMe/TCP I/O controllers (and discovery). */
    public static final int NVME_DEFAULT_PORT = 4420;
    /** SAM-5 4.7.3 single-level LUN addressing covers 0-16383; more is never needed for a block target. */
    public static final long MAX_LUN = 16383;
    /** Namespace IDs 1..N; Ferry keeps them small so the active namespace list fits one Identify page. */
    public static final long MAX_NSID = 1024;

    private final Map<String, BackendFactory> backends;
    private final Set<String> protocols;

    /**
     * @param backends  backend factories by type
     * @param protocols frontend protocols available ({@code iscsi}, ...)
     */
    public ConfigValidator(Map<String, BackendFactory> backends, Set<String> protocols) {
        this.backends = backends;
        this.protocols = protocols;
    }

    public void validate(FerryConfig config) throws ConfigException {
        List<String> problems = new ArrayList<>();
        Set<String> backstoreNames = new HashSet<>();
        for (int i = 0; i < config.backstores().size(); i++) {
            checkBackstore("backstores[" + i + "]", config.backstores().get(i), backstoreNames, problems);
        }
        Set<String> targetNames = new HashSet<>();
        for (int i = 0; i < config.targets().size(); i++) {
            checkTarget("targets[" + i + "]", config.targets().get(i), backstoreNames, targetNames, problems);
        }
        String stateDirectoryProblem = config.stateDirectory() == null ? null
                : ConfigPaths.problem(config.stateDirectory());
        if (stateDirectoryProblem != null) {
            problems.add("stateDirectory: " + stateDirectoryProblem);
        } else if (config.stateDirectory() != null) {
            java.nio.file.Path dir = java.nio.file.Path.of(config.stateDirectory());
            if (!dir.isAbsolute()) {
                problems.add("stateDirectory: '" + dir + "' must be an absolute path");
            } else if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
                problems.add("stateDirectory: '" + dir + "' exists and is not a directory");
            }
        }
        if (config.gateway() != null) {
            config.gateway().check(problems);
            for (int i = 0; i < config.backstores().size(); i++) {
                BackstoreConfig b = config.backstores().get(i);
                if (b != null && b.type() != null && !"rbd".equals(b.type())) {
                    problems.add("backstores[" + i + "].type: a gateway member serves only rbd backstores (the group"
                            + " shares its backstores; a " + b.type() + " backstore would be another device on each"
                            + " member)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private void checkBackstore(String at, BackstoreConfig b, Set<String> names, List<String> problems) {
        if (b == null) {
            problems.add(at + ": is null");
            return;
        }
        if (b.name() == null || b.name().isBlank()) {
            problems.add(at + ".name: is missing");
        } else if (!b.name().matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")) {
            problems.add(at + ".name: '" + b.name() + "' must be 1-64 letters, digits, '.', '_', ':' or '-'");
        } else if (!names.add(b.name())) {
            problems.add(at + ".name: '" + b.name() + "' is used by another backstore");
        }
        BackendFactory factory = b.type() == null ? null : backends.get(b.type());
        if (b.type() == null) {
            problems.add(at + ".type: is missing (one of " + new TreeSet<>(backends.keySet()) + ")");
        } else if (factory == null) {
            problems.add(at + ".type: unknown backend '" + b.type() + "' (one of " + new TreeSet<>(backends.keySet()) + ")");
        }
        if (b.size() != null) {
            try {
                long bytes = b.sizeBytes();
                if (bytes % b.blockSizeOrDefault() != 0) {
                    problems.add(at + ".size: " + bytes + " bytes is not a multiple of the block size " + b.blockSizeOrDefault());
                }
            } catch (IllegalArgumentException e) {
                problems.add(at + ".size: " + e.getMessage());
            }
        }
        int bs = b.blockSizeOrDefault();
        if (bs != 512 && bs != 4096) {
            problems.add(at + ".blockSize: " + bs + " is not supported (512 or 4096)");
        }
        int pbs = b.physicalBlockSizeOrDefault();
        if (pbs < bs || Integer.bitCount(pbs) != 1 || pbs > 65536) {
            problems.add(at + ".physicalBlockSize: " + pbs + " must be a power of two from blockSize (" + bs + ") to 65536");
        }
        if (b.workers() != null && (b.workers() < 1 || b.workers() > 64)) {
            problems.add(at + ".workers: " + b.workers() + " must be 1-64");
        }
        if (b.queueDepth() != null && (b.queueDepth() < 1 || b.queueDepth() > BackstoreConfig.MAX_QUEUE_DEPTH)) {
            problems.add(at + ".queueDepth: " + b.queueDepth() + " must be 1-" + BackstoreConfig.MAX_QUEUE_DEPTH
                    + " (requests in flight at the device)");
        } else if (b.queueDepth() != null && b.workers() != null && b.workers() > b.queueDepth()) {
            problems.add(at + ".queueDepth: " + b.queueDepth() + " is below workers (" + b.workers()
                    + "): each worker needs a request in flight, so raise queueDepth or lower workers");
        }
        String pathProblem = b.path() == null ? null : ConfigPaths.problem(b.path());
        if (pathProblem != null) {
            problems.add(at + ".path: " + pathProblem); // the backend's own checks would open it
        } else if (factory != null) {
            for (String p : factory.validate(b)) {
                problems.add(at + "." + p);
            }
        }
    }

    private void checkTarget(String at, TargetConfig t, Set<String> backstores, Set<String> names, List<String> problems) {
        if (t == null) {
            problems.add(at + ": is null");
            return;
        }
        String protocol = t.protocolOrDefault();
        if (!protocols.contains(protocol)) {
            problems.add(at + ".protocol: unknown protocol '" + protocol + "' (one of " + new TreeSet<>(protocols) + ")");
        }
        String nameProblem = nameProblem(protocol, t.name());
        if (nameProblem != null) {
            problems.add(at + ".name: " + nameProblem);
        }
        if (t.name() != null && !names.add(protocol + "/" + t.name().toLowerCase(java.util.Locale.ROOT))) {
            problems.add(at + ".name: '" + t.name() + "' is used by another target");
        }
        if (t.portals().isEmpty()) {
            problems.add(at + ".portals: a target needs at least one portal (e.g. \"0.0.0.0:" + defaultPort(protocol) + "\")");
        }
        for (int i = 0; i < t.portals().size(); i++) {
            try {
                Portal portal = Portal.parse(String.valueOf(t.portals().get(i)), defaultPort(protocol));
                if (portal.isRdma() && !TargetConfig.NVME.equals(protocol)) {
                    problems.add(at + ".portals[" + i + "]: rdma:// portals serve NVMe subsystems only (no iSER)");
                }
            } catch (IllegalArgumentException e) {
                problems.add(at + ".portals[" + i + "]: " + e.getMessage());
            }
        }
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < t.luns().size(); i++) {
            LunConfig l = t.luns().get(i);
            String lat = at + ".luns[" + i + "]";
            if (l == null) {
                problems.add(lat + ": is null");
                continue;
            }
            long min = TargetConfig.NVME.equals(protocol) ? 1 : 0;
            long max = TargetConfig.NVME.equals(protocol) ? MAX_NSID : MAX_LUN;
            if (l.id() < min || l.id() > max) {
                problems.add(lat + ".id: " + l.id() + " must be " + min + "-" + max);
            } else if (!ids.add(l.id())) {
                problems.add(lat + ".id: LUN " + l.id() + " is used twice in this target");
            }
            if (l.backstore() == null) {
                problems.add(lat + ".backstore: is missing");
            } else if (!backstores.contains(l.backstore())) {
                problems.add(lat + ".backstore: no backstore named '" + l.backstore() + "'");
            }
        }
        Set<String> initiators = new HashSet<>();
        for (int i = 0; i < t.acls().size(); i++) {
            AclConfig a = t.acls().get(i);
            String aat = at + ".acls[" + i + "].initiator";
            String p = a == null ? "is missing" : nameProblem(protocol, a.initiator());
            if (p != null) {
                problems.add(aat + ": " + p);
            } else if (!initiators.add(a.initiator().toLowerCase(java.util.Locale.ROOT))) {
                problems.add(aat + ": '" + a.initiator() + "' is listed twice");
            }
            if (a != null) {
                checkAcl(at + ".acls[" + i + "]", a, ids, problems);
                if (!TargetConfig.NVME.equals(protocol)
                        && (a.dhchapSecretFile() != null || a.dhchapCtrlSecretFile() != null)) {
                    problems.add(at + ".acls[" + i + "]: DH-HMAC-CHAP secrets are for NVMe hosts (iSCSI uses CHAP)");
                }
            }
        }
        AccessGroupsValidator.check(at, t, defaultPort(protocol), problems);
        if (t.iscsi() != null) {
            if (TargetConfig.ISCSI.equals(protocol)) {
                checkIscsi(at + ".iscsi", t.iscsi(), problems);
            } else {
                problems.add(at + ".iscsi: only iSCSI targets have iSCSI settings");
            }
        }
    }

    /** The default listening port of a protocol's portals. */
    public static int defaultPort(String protocol) {
        return TargetConfig.NVME.equals(protocol) ? NVME_DEFAULT_PORT : ISCSI_DEFAULT_PORT;
    }

    /** Target and initiator names follow the protocol's naming rules: IQN/EUI/NAA for iSCSI, NQN for NVMe. */
    private static String nameProblem(String protocol, String name) {
        if (TargetConfig.NVME.equals(protocol)) {
            return NvmeNames.problem(name);
        }
        if (TargetConfig.ISCSI.equals(protocol)) {
            return IscsiNames.problem(name);
        }
        return name == null || name.isBlank() ? "is missing" : null;
    }

    /** The ranges of RFC 7143 section 13 for the negotiation offers, and Ferry's own for the session limits. */
    private static void checkIscsi(String at, IscsiTargetConfig c, List<String> problems) {
        checkRange(at + ".maxSessions", c.maxSessions(), 1, IscsiTargetConfig.MAX_SESSIONS_LIMIT, "", problems);
        checkRange(at + ".commandsPerSession", c.commandsPerSession(), 1, IscsiTargetConfig.COMMANDS_PER_SESSION_LIMIT,
                "", problems);
        checkRange(at + ".maxRecvDataSegmentLength", c.maxRecvDataSegmentLength(), IscsiTargetConfig.MIN_LENGTH,
                IscsiTargetConfig.MAX_LENGTH, " (RFC 7143 13.12)", problems);
        checkRange(at + ".maxBurstLength", c.maxBurstLength(), IscsiTargetConfig.MIN_LENGTH,
                IscsiTargetConfig.MAX_LENGTH, " (RFC 7143 13.13)", problems);
        boolean firstInRange = checkRange(at + ".firstBurstLength", c.firstBurstLength(), IscsiTargetConfig.MIN_LENGTH,
                IscsiTargetConfig.MAX_LENGTH, " (RFC 7143 13.14)", problems);
        if (firstInRange && c.firstBurstLength() != null && c.firstBurstLength() > c.maxBurstLengthOrDefault()) {
            problems.add(at + ".firstBurstLength: " + c.firstBurstLength() + " exceeds maxBurstLength "
                    + c.maxBurstLengthOrDefault() + " (RFC 7143 13.14)");
        }
        checkRange(at + ".maxOutstandingR2T", c.maxOutstandingR2T(), 1, IscsiTargetConfig.MAX_OUTSTANDING_R2T_LIMIT,
                " (RFC 7143 13.17)", problems);
    }

    /** Whether an optional value is absent or within min..max; adds the problem when it is not. */
    private static boolean checkRange(String at, Integer value, int min, int max, String why, List<String> problems) {
        if (value != null && (value < min || value > max)) {
            problems.add(at + ": " + value + " must be " + min + "-" + max + why);
            return false;
        }
        return true;
    }

    private static void checkAcl(String at, AclConfig a, Set<Long> luns, List<String> problems) {
        checkChapPair(at, "chapUser", a.chapUser(), "chapSecretFile", a.chapSecretFile(), problems);
        checkChapPair(at, "mutualChapUser", a.mutualChapUser(), "mutualChapSecretFile", a.mutualChapSecretFile(), problems);
        if (a.mutualChapUser() != null && a.chapUser() == null) {
            problems.add(at + ".mutualChapUser: mutual CHAP needs the initiator's CHAP (chapUser) as well");
        }
        if (a.chapSecretFile() != null && a.mutualChapSecretFile() != null
                && SecretFiles.problem(a.chapSecretFile()) == null && SecretFiles.problem(a.mutualChapSecretFile()) == null) {
            try {
                if (java.util.Arrays.equals(SecretFiles.read(a.chapSecretFile()), SecretFiles.read(a.mutualChapSecretFile()))) {
                    problems.add(at + ".mutualChapSecretFile: must differ from the initiator's secret (RFC 7143 12.1.3)");
                }
            } catch (java.io.IOException e) {
                problems.add(at + ".mutualChapSecretFile: " + e.getMessage());
            }
        }
        checkDhchap(at, a, problems);
        if (a.luns() != null) {
            for (int j = 0; j < a.luns().size(); j++) {
                Long lun = a.luns().get(j);
                if (lun == null || !luns.contains(lun)) {
                    problems.add(at + ".luns[" + j + "]: the target has no LUN " + lun);
                }
            }
        }
    }

    /** DH-HMAC-CHAP secrets: valid DHHC-1 files; a controller secret only with a host secret, and not equal. */
    private static void checkDhchap(String at, AclConfig a, List<String> problems) {
        if (a.dhchapCtrlSecretFile() != null && a.dhchapSecretFile() == null) {
            problems.add(at + ".dhchapCtrlSecretFile: bidirectional authentication needs the host's secret "
                    + "(dhchapSecretFile) as well");
        }
        String hostProblem = a.dhchapSecretFile() == null ? null : DhchapKey.problem(a.dhchapSecretFile());
        if (hostProblem != null) {
            problems.add(at + ".dhchapSecretFile: " + hostProblem);
        }
        String ctrlProblem = a.dhchapCtrlSecretFile() == null ? null : DhchapKey.problem(a.dhchapCtrlSecretFile());
        if (ctrlProblem != null) {
            problems.add(at + ".dhchapCtrlSecretFile: " + ctrlProblem);
        }
        if (a.dhchapSecretFile() != null && a.dhchapCtrlSecretFile() != null && hostProblem == null
                && ctrlProblem == null) {
            try {
                if (DhchapKey.read(a.dhchapSecretFile()).equals(DhchapKey.read(a.dhchapCtrlSecretFile()))) {
                    problems.add(at + ".dhchapCtrlSecretFile: must differ from the host's secret (a reflected "
                            + "response would prove nothing)");
                }
            } catch (java.io.IOException e) {
                problems.add(at + ".dhchapCtrlSecretFile: " + e.getMessage());
            }
        }
    }

    private static void checkChapPair(String at, String userField, String user, String fileField, String file,
                                      List<String> problems) {
        if ((user == null) != (file == null)) {
            problems.add(at + "." + (user == null ? userField : fileField) + ": is missing (" + userField + " and "
                    + fileField + " go together)");
            return;
        }
        if (user != null && (user.isEmpty() || user.length() > 255)) {
            problems.add(at + "." + userField + ": must be 1-255 characters");
        }
        if (file != null) {
            String p = SecretFiles.problem(file);
            if (p != null) {
                problems.add(at + "." + fileField + ": " + p);
            }
        }
    }
}
