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
}
