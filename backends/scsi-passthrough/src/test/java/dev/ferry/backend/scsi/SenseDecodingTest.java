package dev.ferry.backend.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.request.CompletionStatus;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Fixed and descriptor sense data (SPC-4 4.5) and the status mapping. */
class SenseDecodingTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    private static Sense decode(String hex) {
        byte[] b = hex(hex);
        return SenseDecoder.decode(b, b.length);
    }

    @Test
    void fixedFormat() {
        // table 48: VALID|70h, key MEDIUM ERROR, INFORMATION 00001234h, ASC/ASCQ 11h/00h UNRECOVERED READ ERROR
        Sense s = decode("F0 00 03 00001234 0A 00000000 11 00 00 000000");
        assertEquals(0x70, s.responseCode());
        assertEquals(Sense.MEDIUM_ERROR, s.key());
        assertEquals(0x11, s.asc());
        assertEquals(0x1234, s.information());
        assertEquals(CompletionStatus.MEDIUM_ERROR_READ, ScsiOutcome.sense(s, true), "ASC decides, not the op");
        Sense noInfo = decode("70 00 05 00001234 0A 00000000 24 00 00 000000");
        assertEquals(-1, noInfo.information(), "INFORMATION is ignored without VALID");
        assertEquals(CompletionStatus.INVALID_FIELD, ScsiOutcome.sense(noInfo, false));
    }

    @Test
    void descriptorFormatWithInformationDescriptor() {
        // table 14: 72h, key ILLEGAL REQUEST, 21h/00h, ADDITIONAL SENSE LENGTH 0Ch; table 17 information descriptor
        Sense s = decode("72 05 21 00 000000 0C 00 0A 80 00 0000000012345678");
        assertTrue(s.descriptorFormat());
        assertEquals(Sense.ILLEGAL_REQUEST, s.key());
        assertEquals(0x12345678L, s.information());
        assertEquals(8, s.descriptor(0x00));
        assertEquals(-1, s.descriptor(0x09));
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, ScsiOutcome.sense(s, false));
    }

    @Test
    void unusableSense() {
        assertNull(SenseDecoder.decode(new byte[18], 18), "response code 00h");
        assertNull(SenseDecoder.decode(hex("70 00 03 00"), 4), "too short");
    }

    @Test
    void senseKeysMapToCompletions() {
        assertEquals(CompletionStatus.NO_SPACE, ScsiOutcome.sense(decode("70 00 07 00000000 0A 00000000 27 07 00 000000"), true));
        assertEquals(CompletionStatus.WRITE_PROTECTED, ScsiOutcome.sense(decode("70 00 07 00000000 0A 00000000 27 00 00 000000"), true));
        assertEquals(CompletionStatus.UNSUPPORTED, ScsiOutcome.sense(decode("70 00 05 00000000 0A 00000000 20 00 00 000000"), true));
        assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, ScsiOutcome.sense(decode("70 00 03 00000000 0A 00000000 0C 00 00 000000"), true));
        assertEquals(CompletionStatus.UNIT_NOT_READY, ScsiOutcome.sense(decode("72 02 04 01 00000000"), false));
        assertEquals(CompletionStatus.BUSY, ScsiOutcome.sense(decode("72 06 29 00 00000000"), false));
        assertEquals(CompletionStatus.MISCOMPARE, ScsiOutcome.sense(decode("72 0E 1D 00 00000000"), true));
        assertEquals(CompletionStatus.GOOD, ScsiOutcome.sense(decode("72 01 00 1D 00000000"), false));
        assertEquals(CompletionStatus.INTERNAL_ERROR, ScsiOutcome.sense(decode("72 04 44 00 00000000"), false));
    }

    @Test
    void statusHostAndDriverBytes() {
        assertEquals(CompletionStatus.GOOD, ScsiOutcome.map(ScsiOutcome.GOOD, 0, 0, null, false));
        assertEquals(CompletionStatus.BUSY, ScsiOutcome.map(ScsiOutcome.BUSY, 0, 0, null, false));
        assertEquals(CompletionStatus.BUSY, ScsiOutcome.map(ScsiOutcome.TASK_SET_FULL, 0, 0, null, false));
        assertEquals(CompletionStatus.RESERVATION_CONFLICT, ScsiOutcome.map(ScsiOutcome.RESERVATION_CONFLICT, 0, 0, null, true));
        assertEquals(CompletionStatus.INTERNAL_ERROR, ScsiOutcome.map(ScsiOutcome.CHECK_CONDITION, 0, 0, null, true),
                "check condition without sense");
        assertEquals(CompletionStatus.UNIT_NOT_READY, ScsiOutcome.map(0, ScsiOutcome.DID_NO_CONNECT, 0, null, false));
        assertEquals(CompletionStatus.ABORTED, ScsiOutcome.map(0, ScsiOutcome.DID_TIME_OUT, 0, null, false));
        assertEquals(CompletionStatus.BUSY, ScsiOutcome.map(0, ScsiOutcome.DID_TRANSPORT_DISRUPTED, 0, null, false));
        assertEquals(CompletionStatus.ABORTED, ScsiOutcome.map(0, 0, ScsiOutcome.DRIVER_TIMEOUT, null, false));
    }
}
