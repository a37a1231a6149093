package dev.ferry.frontend.iscsi.login;

/**
 * What the target offers or accepts in operational negotiation (RFC 7143 13): our side of every result function.
 *
 * @param maxRecvDataSegmentLength the largest data segment we receive (declared to the initiator)
 * @param maxBurstLength           our MaxBurstLength (result: minimum)
 * @param firstBurstLength         our FirstBurstLength (result: minimum, and never above MaxBurstLength)
 * @param maxOutstandingR2T        our MaxOutstandingR2T (result: minimum)
 * @param defaultTime2Wait         result: maximum
 * @param defaultTime2Retain       result: minimum
 * @param initialR2T               our InitialR2T (result: OR)
 * @param immediateData            our ImmediateData (result: AND)
 * @param dataPduInOrder           our DataPDUInOrder (result: OR)
 * @param dataSequenceInOrder      our DataSequenceInOrder (result: OR)
 * @param headerDigest             whether we accept HeaderDigest=CRC32C
 * @param dataDigest               whether we accept DataDigest=CRC32C
 */
public record NegotiationLimits(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                                int maxOutstandingR2T, int defaultTime2Wait, int defaultTime2Retain,
                                boolean initialR2T, boolean immediateData, boolean dataPduInOrder,
                                boolean dataSequenceInOrder, boolean headerDigest, boolean dataDigest) {

    /** LIO-like values: 256 KiB segments, 1 MiB bursts, 256 KiB first burst, immediate data, no initial R2T. */
    public static final NegotiationLimits DEFAULT = new NegotiationLimits(262144, 1048576, 262144, 16, 2, 20,
            false, true, true, true, true, true);
}
