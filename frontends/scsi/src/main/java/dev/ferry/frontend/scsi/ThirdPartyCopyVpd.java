package dev.ferry.frontend.scsi;

import java.io.ByteArrayOutputStream;

/**
 * SPC-4 7.8.17 Third-party Copy VPD page (8Fh): what the copy manager offers, as a list of third-party copy
 * descriptors, each
 * <pre>
 * Bytes 0-1 THIRD-PARTY COPY DESCRIPTOR TYPE | Bytes 2-3 THIRD-PARTY COPY DESCRIPTOR LENGTH (n-3) | parameters,
 * padded to a multiple of 4 bytes
 * </pre>
 * Supported Commands (0001h): byte 4 COMMANDS SUPPORTED LIST LENGTH, then per command OPERATION CODE, SERVICE
 * ACTION LIST LENGTH and the service actions: EXTENDED COPY (LID1) and RECEIVE COPY RESULTS' COPY STATUS,
 * OPERATING PARAMETERS and FAILED SEGMENT DETAILS. Parameter Data (0004h): bytes 8-9 MAXIMUM CSCD DESCRIPTOR COUNT,
 * 10-11 MAXIMUM SEGMENT DESCRIPTOR COUNT, 12-15 MAXIMUM DESCRIPTOR LIST LENGTH, 16-19 MAXIMUM INLINE DATA LENGTH.
 * Supported Descriptors (0008h): byte 4 SUPPORTED DESCRIPTOR LIST LENGTH, then the descriptor type codes (02h, E4h).
 * The same limits as RECEIVE COPY RESULTS OPERATING PARAMETERS, from {@link ExtendedCopyParameters}.
 */
final class ThirdPartyCopyVpd {
    static final int PAGE_CODE = 0x8F;
    static final int SUPPORTED_COMMANDS = 0x0001;
    static final int PARAMETER_DATA = 0x0004;
    static final int SUPPORTED_DESCRIPTORS = 0x0008;
    static final int EXTENDED_COPY = 0x83;
    static final int RECEIVE_COPY_RESULTS = 0x84;

    private ThirdPartyCopyVpd() {
    }

    static byte[] page() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        byte[] commands = {
                (byte) EXTENDED_COPY, 1, (byte) ExtendedCopyCommand.LID1,
                (byte) RECEIVE_COPY_RESULTS, 3, (byte) ReceiveCopyResults.COPY_STATUS,
                (byte) ReceiveCopyResults.OPERATING_PARAMETERS, (byte) ReceiveCopyResults.FAILED_SEGMENT_DETAILS};
        byte[] supported = new byte[1 + commands.length];
        supported[0] = (byte) commands.length;
        System.arraycopy(commands, 0, supported, 1, commands.length);
        descriptor(out, SUPPORTED_COMMANDS, supported);

        byte[] parameters = new byte[0x1C];
        Cdb.put16(parameters, 4, ExtendedCopyParameters.MAX_CSCD_DESCRIPTORS);
        Cdb.put16(parameters, 6, ExtendedCopyParameters.MAX_SEGMENT_DESCRIPTORS);
        Cdb.put32(parameters, 8, ExtendedCopyParameters.MAX_DESCRIPTOR_LIST_LENGTH);
        Cdb.put32(parameters, 12, ExtendedCopyParameters.MAX_INLINE_DATA_LENGTH);
        descriptor(out, PARAMETER_DATA, parameters);

        descriptor(out, SUPPORTED_DESCRIPTORS, new byte[]{2, (byte) ExtendedCopyParameters.TYPE_BLOCK_TO_BLOCK,
                (byte) ExtendedCopyParameters.TYPE_IDENTIFICATION});

        byte[] list = out.toByteArray();
        byte[] d = new byte[4 + list.length];
        d[0] = InquiryCommand.PDT_DIRECT_ACCESS;
        d[1] = (byte) PAGE_CODE;
        Cdb.put16(d, 2, list.length);
        System.arraycopy(list, 0, d, 4, list.length);
        return d;
    }

    /** One descriptor: type, length, {@code parameters} (from its byte 4 on) padded to a multiple of 4. */
    private static void descriptor(ByteArrayOutputStream out, int type, byte[] parameters) {
        int padded = (parameters.length + 3) & ~3;
        out.write(type >>> 8);
        out.write(type);
        out.write(padded >>> 8);
        out.write(padded);
        out.write(parameters, 0, parameters.length);
        for (int i = parameters.length; i < padded; i++) {
            out.write(0);
        }
    }
}
