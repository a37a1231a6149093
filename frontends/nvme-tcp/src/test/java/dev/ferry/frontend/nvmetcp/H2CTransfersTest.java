package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The transfer table: a full one refuses at once (it used to search the TTAG space forever), and frees its tags. */
class H2CTransfersTest {

    static NvmeRequest request(int cid) {
        return new NvmeRequest(Unpooled.wrappedBuffer(NvmeTcpTestHost.sqe(0x01, cid, 1).array()));
    }

    @Test
    void aFullTableRefusesWithoutSearchingAndAFinishedTransferFreesItsTag() {
        H2CTransfers transfers = new H2CTransfers(2);
        Pdu.R2t first = transfers.start(request(1), 8);
        Pdu.R2t second = transfers.start(request(2), 8);
        assertNotEquals(first.ttag(), second.ttag());

        assertNull(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> transfers.start(request(3), 8)),
                "no tag while two transfers are active");

        H2CTransfers.Result r = transfers.accept(new Pdu.H2CData(1, first.ttag(), 0, true,
                Unpooled.wrappedBuffer(new byte[8]), false));
        assertNotNull(r.completed());
        assertEquals(0, r.fatalStatus());
        r.completed().release();
        Pdu.R2t third = transfers.start(request(4), 8);
        assertNotNull(third, "the finished transfer's slot is free again");
        assertNotEquals(second.ttag(), third.ttag());
        transfers.clear();
    }

    @Test
    void tagsStayBelowFfffhAndRoundTheSpace() {
        H2CTransfers transfers = new H2CTransfers(1);
        int previous = -1;
        for (int i = 0; i < 0x10000 + 3; i++) {
            NvmeRequest r = request(7);
            Pdu.R2t r2t = transfers.start(r, 4);
            assertNotEquals(0xFFFF, r2t.ttag());
            assertNotEquals(previous, r2t.ttag(), "a finished tag is not handed out again at once");
            previous = r2t.ttag();
            H2CTransfers.Result result = transfers.accept(new Pdu.H2CData(7, r2t.ttag(), 0, true,
                    Unpooled.wrappedBuffer(new byte[4]), false));
            assertSame(r, result.completed());
            r.release();
        }
    }
}
