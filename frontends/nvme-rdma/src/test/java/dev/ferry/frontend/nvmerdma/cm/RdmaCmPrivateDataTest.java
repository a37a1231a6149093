package dev.ferry.frontend.nvmerdma.cm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The RDMA_CM private data layouts against byte vectors written out by hand from the binding's tables. */
class RdmaCmPrivateDataTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** What the Linux host sends for I/O queue 3 with 128 entries: hrqsize = 128, hsqsize = 127, cntlid = 5. */
    private static final byte[] IO_QUEUE_REQUEST = hex("0000 0300 8000 7f00 0500" + "00".repeat(22));

    @Test
    void connectRequestFields() {
        RdmaCmConnectPrivateData req = RdmaCmConnectPrivateData.parse(IO_QUEUE_REQUEST);
        assertEquals(new RdmaCmConnectPrivateData(0, 3, 128, 127, 5), req);
        assertEquals(128, req.submissionQueueEntries());
        assertArrayEquals(IO_QUEUE_REQUEST, req.encode());
        assertEquals(RdmaCmConnectPrivateData.SIZE, req.encode().length);
    }

    @Test
    void connectRequestFieldsAreLittleEndianAndUnsigned() {
        RdmaCmConnectPrivateData req = RdmaCmConnectPrivateData.parse(hex("0100 ffff 3412 0100 ffff" + "00".repeat(22)));
        assertEquals(new RdmaCmConnectPrivateData(1, 0xFFFF, 0x1234, 1, 0xFFFF), req);
    }

    @Test
    void acceptCarriesCrqsize() {
        byte[] rep = new RdmaCmAcceptPrivateData(0, 32).encode();
        assertArrayEquals(hex("0000 2000" + "00".repeat(28)), rep);
        assertEquals(new RdmaCmAcceptPrivateData(0, 32), RdmaCmAcceptPrivateData.parse(rep));
    }

    @Test
    void rejectCarriesStatus() {
        byte[] rej = new RdmaCmRejectPrivateData(0, RdmaCmStatus.INVALID_HSQSIZE).encode();
        assertArrayEquals(hex("0000 0400"), rej);
        assertEquals(new RdmaCmRejectPrivateData(0, 4), RdmaCmRejectPrivateData.parse(rej));
    }

    @Test
    void statusCodesMatchTheBinding() {
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new int[] {
            RdmaCmStatus.INVALID_PRIVATE_DATA_LENGTH, RdmaCmStatus.INVALID_RECFMT, RdmaCmStatus.INVALID_QID,
            RdmaCmStatus.INVALID_HSQSIZE, RdmaCmStatus.INVALID_HRQSIZE, RdmaCmStatus.NO_RESOURCES,
            RdmaCmStatus.INVALID_IRD, RdmaCmStatus.INVALID_ORD, RdmaCmStatus.INVALID_CNTLID});
    }
}
