package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.reservation.Registrant;

/**
 * An I_T nexus (SAM-5 4.6): one initiator port talking to one target port. Unit attentions, RESERVE(6) and
 * persistent-reservation registrations are kept per nexus.
 *
 * @param initiatorPortName SCSI initiator port name; for iSCSI {@code <InitiatorName>,i,0x<ISID as 12 hex>}
 *                          (RFC 7143 4.2.7.1 / SPC-4 7.6.4.6)
 * @param initiatorName     the initiator device name without the port suffix (for ACLs, PR TransportIDs)
 * @param isid              the 6-byte ISID as a number, for iSCSI TransportIDs; 0 for other transports
 * @param port              the target port the nexus uses
 */
public record ItNexus(String initiatorPortName, String initiatorName, long isid, ScsiPort port) {

    /**
     * Who this nexus is for persistent reservations: the initiator port and the target port (SPC-4 5.13.7), in the
     * core's protocol-neutral form (see {@link Registrant} for the SCSI and NVMe mappings).
     */
    public Registrant registrant() {
        return port != null
                ? new Registrant(initiatorPortName, initiatorName, port.targetPortName(), port.relativePortId())
                : new Registrant(initiatorPortName, initiatorName, "", 0);
    }
}
