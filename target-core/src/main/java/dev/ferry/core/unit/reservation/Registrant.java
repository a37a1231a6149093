package dev.ferry.core.unit.reservation;

import java.util.Locale;
import java.util.UUID;

/**
 * Who a registration or a reservation belongs to, one identity model for every protocol.
 *
 * <p>Identity mapping (SPC-4 5.13.7 registers an I_T nexus; NVMe Base 2.0 8.19 registers a host):
 * <ul>
 *   <li>SCSI over iSCSI: {@code initiatorPort} is the SCSI initiator port name {@code <iSCSI name>,i,0x<ISID>},
 *       {@code initiatorName} the iSCSI name, {@code targetPort} the SCSI target port name
 *       {@code <target name>,t,0x<TPGT>} and {@code relativeTargetPort} its RELATIVE TARGET PORT IDENTIFIER. The
 *       target port is part of the identity, so one initiator port reaching a unit through two targets is two
 *       I_T nexuses, as SPC-4 has it.</li>
 *   <li>NVMe: {@code initiatorPort} is {@code <host NQN>;hostid=<Host Identifier>}, {@code initiatorName} the host
 *       NQN, {@code targetPort} empty and {@code relativeTargetPort} 0: an NVMe registration belongs to the host,
 *       whichever controller or port it uses (NVMe Reservation Register).</li>
 * </ul>
 * The two never collide: an iSCSI initiator port name always carries {@code ,i,0x} and a non-empty target port.
 * Names compare case-insensitively (RFC 3722 normalises iSCSI names), so they are kept in lower case.
 */
public record Registrant(String initiatorPort, String initiatorName, String targetPort, int relativeTargetPort) {
    private static final String HOST_ID = ";hostid=";

    public Registrant {
        initiatorPort = initiatorPort.toLowerCase(Locale.ROOT);
        initiatorName = initiatorName.toLowerCase(Locale.ROOT);
        targetPort = targetPort.toLowerCase(Locale.ROOT);
    }

    /** An NVMe host: its NQN and Host Identifier, on any controller of the subsystem. */
    public static Registrant nvmeHost(String hostNqn, UUID hostId) {
        return new Registrant(hostNqn + HOST_ID + hostId, hostNqn, "", 0);
    }

    /**
     * Whether this is an NVMe host rather than a SCSI I_T nexus: no iSCSI name can hold ';' or '=' (RFC 3722), so
     * no initiator port name is taken for a host.
     */
    public boolean isNvmeHost() {
        return targetPort.isEmpty() && initiatorPort.contains(HOST_ID);
    }

    /** The Host Identifier of an NVMe host; only for {@link #isNvmeHost()}. */
    public UUID nvmeHostId() {
        return UUID.fromString(initiatorPort.substring(initiatorPort.lastIndexOf(HOST_ID) + HOST_ID.length()));
    }
}
