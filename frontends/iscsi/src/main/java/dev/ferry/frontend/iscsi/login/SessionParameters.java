package dev.ferry.frontend.iscsi.login;

/**
 * Operational parameters in force for a session and its connection, starting at the RFC 7143 section 13 defaults
 * and updated by negotiation.
 */
public final class SessionParameters {
    public static final String NORMAL = "Normal";
    public static final String DISCOVERY = "Discovery";

    public boolean headerDigest;                       // 13.1, default None
    public boolean dataDigest;                         // 13.1, default None
    public int maxConnections = 1;                     // 13.2
    public boolean initialR2T = true;                  // 13.10
    public boolean immediateData = true;               // 13.11
    /** What the initiator declared: the largest data segment WE may send (13.12, default 8192). */
    public int initiatorMaxRecvDataSegmentLength = 8192;
    /** What we declared: the largest data segment the initiator may send us. */
    public int targetMaxRecvDataSegmentLength = 8192;
    public int maxBurstLength = 262144;                // 13.13
    public int firstBurstLength = 65536;               // 13.14
    public int defaultTime2Wait = 2;                   // 13.15
    public int defaultTime2Retain = 20;                // 13.16
    public int maxOutstandingR2T = 1;                  // 13.17
    public boolean dataPduInOrder = true;              // 13.18
    public boolean dataSequenceInOrder = true;         // 13.19
    public int errorRecoveryLevel;                     // 13.20
    public String sessionType = NORMAL;                // 13.21
    public String initiatorName;                       // 13.5
    public String initiatorAlias;                      // 13.7
    public String targetName;                          // 13.4
    public int protocolLevel;                          // RFC 7144 13.24 (iSCSIProtocolLevel)
    public String taskReporting = "RFC3720";           // RFC 7144 13.23

    public boolean discovery() {
        return DISCOVERY.equals(sessionType);
    }

    @Override
    public String toString() {
        return "HeaderDigest=" + (headerDigest ? "CRC32C" : "None") + " DataDigest=" + (dataDigest ? "CRC32C" : "None")
                + " InitialR2T=" + initialR2T + " ImmediateData=" + immediateData
                + " MRDSL(initiator)=" + initiatorMaxRecvDataSegmentLength + " MRDSL(target)=" + targetMaxRecvDataSegmentLength
                + " MaxBurstLength=" + maxBurstLength + " FirstBurstLength=" + firstBurstLength
                + " MaxOutstandingR2T=" + maxOutstandingR2T + " ERL=" + errorRecoveryLevel;
    }
}
