package dev.ferry.frontend.nvmerdma.jna;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ferry.frontend.nvmerdma.verbs.WorkRequests;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The struct layouts written by hand, and the call through the ops table, checked without an RDMA device. */
class VerbsLayoutTest {

    @Test
    void sendWithInvalidateLayout() {
        Memory wr = new Memory(IbvSendWr.SIZE);
        Memory sge = new Memory(IbvSge.SIZE);
        IbvSendWr.send(wr, 0x1122334455667788L, sge, true, 0xCAFE);
        assertEquals(0x1122334455667788L, wr.getLong(0));
        assertEquals(Pointer.nativeValue(sge), wr.getLong(16));
        assertEquals(1, wr.getInt(24));
        assertEquals(IbvSendWr.IBV_WR_SEND_WITH_INV, wr.getInt(28));
        assertEquals(IbvSendWr.IBV_SEND_SIGNALED, wr.getInt(32));
        assertEquals(0xCAFE, wr.getInt(36));
    }

    @Test
    void rdmaReadLayout() {
        Memory wr = new Memory(IbvSendWr.SIZE);
        IbvSendWr.rdma(wr, 7, new Memory(IbvSge.SIZE), IbvSendWr.IBV_WR_RDMA_READ, 0x7f0012345000L, 0xBEEF);
        assertEquals(IbvSendWr.IBV_WR_RDMA_READ, wr.getInt(28));
        assertEquals(0x7f0012345000L, wr.getLong(40));
        assertEquals(0xBEEF, wr.getInt(48));
        assertEquals(0, wr.getInt(36));
    }

    @Test
    void sgeAndReceiveLayout() {
        Memory sge = new Memory(IbvSge.SIZE);
        IbvSge.write(sge, 0x1000, 4160, 0x42);
        assertArrayEquals(HexFormat.of().parseHex("0010000000000000" + "40100000" + "42000000"),
                sge.getByteArray(0, IbvSge.SIZE));
        Memory wr = new Memory(IbvRecvWr.SIZE);
        IbvRecvWr.write(wr, 9, sge);
        assertEquals(9, wr.getLong(0));
        assertEquals(0, wr.getLong(8));
        assertEquals(Pointer.nativeValue(sge), wr.getLong(16));
        assertEquals(1, wr.getInt(24));
    }

    @Test
    void acceptParamLayout() {
        Memory param = new Memory(RdmaConnParam.SIZE);
        Memory data = new Memory(32);
        RdmaConnParam.writeAccept(param, data, 32, 0, 16);
        assertEquals(Pointer.nativeValue(data), param.getLong(0));
        assertArrayEquals(new byte[] {32, 0, 16, 1, 0, 7, 0}, param.getByteArray(8, 7));
    }

    @Test
    void sockaddrIsNetworkOrder() throws Exception {
        Memory sa = SockaddrIn.of((Inet4Address) InetAddress.getByName("10.0.2.15"), 4420);
        assertArrayEquals(HexFormat.of().parseHex("0200" + "1144" + "0a00020f" + "0000000000000000"),
                sa.getByteArray(0, SockaddrIn.SIZE));
    }

    @Test
    void polledCompletionsAreDispatchedByWrId() {
        WorkRequests wrs = new WorkRequests(4);
        int[] got = new int[4];
        long first = wrs.add((status, length) -> got[0] = length);
        long second = wrs.add((status, length) -> got[1] = status);
        Memory wcs = new Memory(2L * IbvWc.SIZE);
        wcs.clear();
        wcs.setLong(0, second);
        wcs.setInt(8, 5); // IBV_WC_WR_FLUSH_ERR
        wcs.setLong(IbvWc.SIZE, first);
        wcs.setInt(IbvWc.SIZE + 20, 4160);
        CompletionPoller.dispatch(wcs, 2, wrs::complete);
        assertEquals(4160, got[0]);
        assertEquals(5, got[1]);
        assertEquals(0, wrs.outstanding());
    }

    @Test
    void opsTableOffsetsFollowTheRdmaCoreAbi() {
        assertEquals(96, VerbsOps.opsOffset(VerbsOps.OP_POLL_CQ));
        assertEquals(104, VerbsOps.opsOffset(VerbsOps.OP_REQ_NOTIFY_CQ));
        assertEquals(208, VerbsOps.opsOffset(VerbsOps.OP_POST_SEND));
        assertEquals(216, VerbsOps.opsOffset(VerbsOps.OP_POST_RECV));
    }

    /** {@code int (*post_send)(struct ibv_qp *, struct ibv_send_wr *, struct ibv_send_wr **)}. */
    public interface PostSend extends Callback {
        int invoke(Pointer qp, Pointer wr, Pointer badWr);
    }

    @Test
    void postSendCallsThroughTheContextOpsTable() {
        Pointer[] seen = new Pointer[2];
        PostSend provider = (qp, wr, bad) -> {
            seen[0] = qp;
            seen[1] = wr;
            return 0;
        };
        Memory context = new Memory(VerbsOps.opsOffset(VerbsOps.OP_POST_RECV) + 8);
        context.clear();
        context.setPointer(VerbsOps.opsOffset(VerbsOps.OP_POST_SEND), CallbackReference.getFunctionPointer(provider));
        Memory qp = new Memory(8);
        qp.setPointer(0, context);
        Memory wr = new Memory(IbvSendWr.SIZE);
        assertEquals(0, VerbsOps.postSend(qp, wr, new Memory(8)));
        assertEquals(qp, seen[0]);
        assertEquals(wr, seen[1]);
    }
}
