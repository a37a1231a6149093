package dev.ferry.frontend.scsi;

/**
 * A SCSI target port as the command set reports it (VPD 0x83 target port / port group designators, REPORT TARGET
 * PORT GROUPS, PR TransportIDs).
 *
 * @param targetName          the SCSI target device name (the iSCSI target name)
 * @param targetPortName      SCSI target port name; for iSCSI {@code <TargetName>,t,0x<TPGT as 4 hex>}
 * @param relativePortId      RELATIVE TARGET PORT IDENTIFIER (1-65535)
 * @param targetPortGroup     TARGET PORT GROUP (for ALUA)
 * @param protocolIdentifier  SPC-4 7.6.1 Table 362 PROTOCOL IDENTIFIER: 5h for iSCSI
 */
public record ScsiPort(String targetName, String targetPortName, int relativePortId, int targetPortGroup,
                       int protocolIdentifier) {
    /** SPC-4 Table 362: iSCSI. */
    public static final int PROTOCOL_ISCSI = 0x5;

    /**
     * The iSCSI target port of access group {@code group}: an iSCSI target port is a target portal group (RFC 7143
     * 4.4.1), so its TPGT, its relative target port identifier and its TARGET PORT GROUP are all the group's id.
     */
    public static ScsiPort iscsi(String targetName, int group) {
        return new ScsiPort(targetName, String.format("%s,t,0x%04x", targetName, group), group, group, PROTOCOL_ISCSI);
    }
}
