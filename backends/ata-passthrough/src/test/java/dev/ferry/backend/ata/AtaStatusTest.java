package dev.ferry.backend.ata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.backend.scsi.Sense;
import dev.ferry.backend.scsi.SenseDecoder;
import dev.ferry.core.request.CompletionStatus;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** ATA registers returned by a SATL in descriptor (SAT-3 12.2.2.6) and fixed (12.2.2.7) sense data. */
class AtaStatusTest {
    private static Sense sense(String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
        return SenseDecoder.decode(b, b.length);
    }

    @Test
    void statusReturnDescriptorAfterSuccessWithCkCond() {
        // RECOVERED ERROR, 00h/1Dh ATA PASS THROUGH INFORMATION AVAILABLE; descriptor 09h: EXTEND, STATUS 50h
        AtaStatus a = AtaStatus.from(sense("72 01 00 1D 000000 0E  09 0C 01 00 0000 0000 0000 0000 40 50"));
        assertEquals(new AtaStatus(0, 0x50, 0x40, 0, 0), a);
        assertEquals(CompletionStatus.GOOD, a.toCompletion(false));
    }

    @Test
    void statusReturnDescriptorWithUncorrectableError() {
        // ERROR 40h (UNC), COUNT 0001h, LBA bytes (31:24)=00 (7:0)=BC (39:32)=00 (15:8)=9A (47:40)=00 (23:16)=78,
        // STATUS 51h (DRDY|DSC|ERR)
        AtaStatus a = AtaStatus.from(sense("72 03 11 04 000000 0E  09 0C 01 40 0001 00BC 009A 0078 40 51"));
        assertEquals(0x40, a.error());
        assertEquals(0x51, a.status());
        assertEquals(1, a.count());
        assertEquals(0x789ABCL, a.lba());
        assertEquals(CompletionStatus.MEDIUM_ERROR_READ, a.toCompletion(false));
        assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, a.toCompletion(true));
    }

    @Test
    void fixedFormatCarriesTheRegistersInInformationAndCommandSpecificFields() {
        // VALID|70h, MEDIUM ERROR; INFORMATION = ERROR 40h, STATUS 51h, DEVICE 40h, COUNT 01h;
        // COMMAND-SPECIFIC = EXTEND (80h), LBA 7:0 BCh, 15:8 9Ah, 23:16 78h; ASC/ASCQ 11h/04h
        AtaStatus a = AtaStatus.from(sense("F0 00 03 40 51 40 01 0A 80 BC 9A 78 11 04 00 000000"));
        assertEquals(new AtaStatus(0x40, 0x51, 0x40, 1, 0x789ABCL), a);
        assertEquals(CompletionStatus.MEDIUM_ERROR_READ, a.toCompletion(false));
    }

    @Test
    void errorBitsMapToCompletions() {
        assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, new AtaStatus(AtaStatus.ERROR_IDNF, 0x51, 0, 0, 0).toCompletion(false));
        assertEquals(CompletionStatus.ABORTED, new AtaStatus(AtaStatus.ERROR_ABRT, 0x51, 0, 0, 0).toCompletion(true));
        assertEquals(CompletionStatus.ABORTED, new AtaStatus(AtaStatus.ERROR_ICRC | AtaStatus.ERROR_ABRT, 0x51, 0, 0, 0)
                .toCompletion(true));
        assertEquals(CompletionStatus.INTERNAL_ERROR, new AtaStatus(0, 0x71, 0, 0, 0).toCompletion(true), "device fault");
    }

    @Test
    void senseWithoutAtaRegisters() {
        assertNull(AtaStatus.from(null));
        assertNull(AtaStatus.from(sense("72 05 24 00 00000000")), "the SATL rejected the CDB itself");
        assertNull(AtaStatus.from(sense("70 00 05 00000000 0A 00000000 24 00 00 000000")), "fixed, no ATA information");
    }
}
