package dev.ferry.frontend.iscsi.login;

import dev.ferry.core.config.IscsiTargetConfig;

/**
 * What the target offers or accepts in operational negotiation (RFC 7143 13): our side of every result function.
 * The frontend's limits apply to discovery; a Normal session uses them with its target's settings in place
 * ({@link #forTarget}).
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
    public static final NegotiationLimits DEFAULT = new NegotiationLimits(
            IscsiTargetConfig.DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH, IscsiTargetConfig.DEFAULT_MAX_BURST_LENGTH,
            IscsiTargetConfig.DEFAULT_FIRST_BURST_LENGTH, IscsiTargetConfig.DEFAULT_MAX_OUTSTANDING_R2T, 2, 20,
            IscsiTargetConfig.DEFAULT_INITIAL_R2T, IscsiTargetConfig.DEFAULT_IMMEDIATE_DATA, true, true, true, true);

    /** These limits with what a target's configuration sets explicitly in their place. */
    public NegotiationLimits forTarget(IscsiTargetConfig c) {
        return new NegotiationLimits(
                c.maxRecvDataSegmentLength() != null ? c.maxRecvDataSegmentLength() : maxRecvDataSegmentLength,
                c.maxBurstLength() != null ? c.maxBurstLength() : maxBurstLength,
                c.firstBurstLength() != null ? c.firstBurstLength() : firstBurstLength,
                c.maxOutstandingR2T() != null ? c.maxOutstandingR2T() : maxOutstandingR2T,
                defaultTime2Wait, defaultTime2Retain,
                c.initialR2T() != null ? c.initialR2T() : initialR2T,
                c.immediateData() != null ? c.immediateData() : immediateData,
                dataPduInOrder, dataSequenceInOrder, headerDigest, dataDigest);
    }
}
