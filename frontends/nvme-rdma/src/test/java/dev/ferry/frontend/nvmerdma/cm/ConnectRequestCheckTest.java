package dev.ferry.frontend.nvmerdma.cm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConnectRequestCheckTest {
    private static byte[] request(int recfmt, int qid, int hrqsize, int hsqsize) {
        return new RdmaCmConnectPrivateData(recfmt, qid, hrqsize, hsqsize, 0xFFFF).encode();
    }

    private static int rejectStatus(byte[] privateData) {
        return ConnectRequestCheck.check(privateData).rejectStatus();
    }

    @Test
    void acceptsTheLinuxAdminAndIoQueues() {
        ConnectRequestCheck.Result admin = ConnectRequestCheck.check(request(0, 0, 32, 31));
        assertTrue(admin.accepted());
        assertEquals(new QueueDepths(0, 0xFFFF, 32, 32), admin.depths());
        assertEquals(32, admin.depths().accept().crqsize());
        assertEquals(64, admin.depths().sendQueueDepth());

        ConnectRequestCheck.Result io = ConnectRequestCheck.check(request(0, 1, 128, 127));
        assertEquals(128, io.depths().commandSlots());
    }

    @Test
    void rejectsWithTheBindingsStatus() {
        assertEquals(RdmaCmStatus.INVALID_PRIVATE_DATA_LENGTH, rejectStatus(null));
        assertEquals(RdmaCmStatus.INVALID_PRIVATE_DATA_LENGTH, rejectStatus(new byte[31]));
        assertEquals(RdmaCmStatus.INVALID_RECFMT, rejectStatus(request(1, 0, 32, 31)));
        assertEquals(RdmaCmStatus.INVALID_QID, rejectStatus(request(0, 65, 32, 31)));
        assertEquals(RdmaCmStatus.INVALID_HSQSIZE, rejectStatus(request(0, 0, 64, 63)));
        assertEquals(RdmaCmStatus.INVALID_HSQSIZE, rejectStatus(request(0, 1, 256, 128)));
        assertEquals(RdmaCmStatus.INVALID_HSQSIZE, rejectStatus(request(0, 1, 2, 0)));
        assertEquals(RdmaCmStatus.INVALID_HRQSIZE, rejectStatus(request(0, 1, 16, 31)));
    }
}
