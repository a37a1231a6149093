package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.frontend.nvmetcp.pdu.FatalErrorStatus;
import dev.ferry.frontend.nvmetcp.pdu.PduType;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transfer table: a full one refuses at once (it used to search the TTAG space forever), frees its tags, takes
 * data only where its rules allow, and hands each command its filled buffer.
 */
class H2CTransfersTest {
    /** Stands for a command: the buffer it was given. */
    static final class Command {
        ByteBuf data;
    }

    static final H2CTransfers.DataAttach<Command> ATTACH = (c, data) -> c.data = data;

    /** One H2CData PDU of {@code length} bytes at {@code offset}: placed, then reported. */
    static Command send(H2CTransfers<Command> t, int cid, int ttag, int offset, int length) {
        ByteBuf to = t.destination(cid, ttag, offset, length);
        assertNotNull(to, () -> "refused: " + t.refusalReason());
        to.writeZero(length);
        return t.arrived(ttag, false, ATTACH);
    }

    @Test
    void aFullTableRefusesWithoutSearchingAndAFinishedTransferFreesItsTag() {
        H2CTransfers<Command> transfers = new H2CTransfers<>(2);
        int first = transfers.start(new Command(), 1, 8);
        int second = transfers.start(new Command(), 2, 8);
        assertNotEquals(first, second);

        assertEquals(-1, assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> transfers.start(new Command(), 3, 8)), "no tag while two transfers are active");

        Command done = send(transfers, 1, first, 0, 8);
        assertNotNull(done);
        assertEquals(8, done.data.readableBytes());
        done.data.release();
        int third = transfers.start(new Command(), 4, 8);
        assertNotEquals(-1, third, "the finished transfer's slot is free again");
        assertNotEquals(second, third);
        List<Command> dropped = new ArrayList<>();
        transfers.clear(dropped::add);
        assertEquals(2, dropped.size());
    }

    @Test
    void tagsStayBelowFfffhAndRoundTheSpace() {
        H2CTransfers<Command> transfers = new H2CTransfers<>(1);
        int previous = -1;
        for (int i = 0; i < 0x10000 + 3; i++) {
            Command c = new Command();
            int ttag = transfers.start(c, 7, 4);
            assertNotEquals(0xFFFF, ttag);
            assertNotEquals(previous, ttag, "a finished tag is not handed out again at once");
            previous = ttag;
            assertSame(c, send(transfers, 7, ttag, 0, 4));
            c.data.release();
        }
    }

    @Test
    void dataOutsideTheRulesIsRefusedWithTheOffendingField() {
        H2CTransfers<Command> transfers = new H2CTransfers<>(4);
        int ttag = transfers.start(new Command(), 9, 16);
        assertNull(transfers.destination(9, ttag + 1, 0, 8));
        assertEquals(FatalErrorStatus.INVALID_HEADER_FIELD, transfers.refusalStatus());
        assertEquals(PduType.DATA_TTAG, transfers.refusalField());
        assertNull(transfers.destination(8, ttag, 0, 8));
        assertEquals(PduType.DATA_CCCID, transfers.refusalField());
        assertNull(transfers.destination(9, ttag, 8, 16));
        assertEquals(FatalErrorStatus.DATA_TRANSFER_OUT_OF_RANGE, transfers.refusalStatus());
        assertNull(transfers.destination(9, ttag, 8, 8), "not contiguous");
        assertEquals(FatalErrorStatus.PDU_SEQUENCE_ERROR, transfers.refusalStatus());

        assertNull(send(transfers, 9, ttag, 0, 8), "half of the data");
        Command done = send(transfers, 9, ttag, 8, 8);
        assertEquals(16, done.data.readableBytes());
        done.data.release();
    }

    @Test
    void aDigestErrorInAnyPduReleasesTheBufferAndReportsIt() {
        H2CTransfers<Command> transfers = new H2CTransfers<>(4);
        Command c = new Command();
        int ttag = transfers.start(c, 3, 8);
        transfers.destination(3, ttag, 0, 4).writeZero(4);
        assertNull(transfers.arrived(ttag, true, ATTACH));
        transfers.destination(3, ttag, 4, 4).writeZero(4);
        assertSame(c, transfers.arrived(ttag, false, ATTACH));
        assertEquals(true, transfers.lastDigestError());
        assertNull(c.data, "no data attached after a digest error");
    }
}
