package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.FabricsPort;
import dev.ferry.frontend.nvme.FabricsTransport;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvmetcp.pdu.ConnectionParameters;
import dev.ferry.frontend.nvmetcp.pdu.PduDecoder;
import dev.ferry.frontend.nvmetcp.pdu.PduEncoder;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An Error thrown inside the controller model while the queue handler serves a PDU (here Identify Controller runs
 * out of memory asking the transport for its SGL limit) closes the connection, and the command decoded after it
 * from the same bytes (a Property Set of CC asking for a shutdown) is not executed.
 */
class ModelErrorTest {
    static final String DISCOVERY_NQN = "nqn.2014-08.org.nvmexpress.discovery";
    static final int CNS_CONTROLLER = 1;
    /** CC.SHN 01b, normal shutdown notification (Base 2.0 Figure 41). */
    static final int CC_SHN_NORMAL = 1 << 14;

    static final FabricsTransport OUT_OF_MEMORY_ON_IDENTIFY = new FabricsTransport() {
        public int transportType() { return 3; }
        public int ioInCapsuleDataSize() { return 8192; }
        public int maxSglDescriptors() { throw new OutOfMemoryError("injected in Identify Controller"); }
        public byte[] transportSpecificAddress() { return new byte[256]; }
        public List<FabricsPort> ports() { return List.of(); }
    };

    static byte[] icReq() {
        ByteBuffer b = NvmeTcpTestHost.le(128);
        b.put((byte) 0).put((byte) 0).put((byte) 128).put((byte) 0).putInt(128);
        return b.array();
    }

    /** A CapsuleCmd without digests, as the test host lays it out. */
    /** The one CapsuleResp the last inbound bytes produced; asserts success. */
    static ByteBuf success(EmbeddedChannel ch) {
        ByteBuf resp = ch.readOutbound();
        assertEquals(0x05, resp.getByte(0), "CapsuleResp");
        assertEquals(0, resp.getShortLE(8 + 14) >>> 1, "status");
        return resp;
    }

    static byte[] capsule(byte[] sqe, byte[] data) {
        int plen = 72 + (data == null ? 0 : data.length);
        ByteBuffer b = NvmeTcpTestHost.le(plen);
        b.put((byte) 0x04).put((byte) 0).put((byte) 72).put((byte) (data == null ? 0 : 72)).putInt(plen).put(sqe);
        if (data != null) {
            b.put(data);
        }
        return b.array();
    }

    @Test
    void anErrorInTheModelClosesTheConnectionAndSkipsTheRestOfTheRead() throws Exception {
        NvmeTarget target = new NvmeTarget(new UnitRegistry(), OUT_OF_MEMORY_ON_IDENTIFY);
        ConnectionParameters p = new ConnectionParameters();
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(p), new PduEncoder(p), new IcReqHandler(p),
                new TcpQueueHandler(target, c -> new CompletionQueue(c.eventLoop(), 16),
                        TcpLimits.fromSystemProperties()));
        ch.writeInbound(Unpooled.wrappedBuffer(icReq()));
        ((ByteBuf) ch.readOutbound()).release();
        ch.writeInbound(Unpooled.wrappedBuffer(capsule(NvmeTcpTestHost.connectSqe(1, 0, 31, 0),
                NvmeTcpTestHost.connectData(0xFFFF, DISCOVERY_NQN, NvmeTcpTestHost.HOST_NQN))));
        ByteBuf connected = success(ch);
        Controller c = target.controller(connected.getShortLE(8) & 0xFFFF);
        connected.release();
        assertNotNull(c);
        ch.writeInbound(Unpooled.wrappedBuffer(capsule(NvmeTcpTestHost.propertySqe(2, false, 0,
                NvmeTcpTestHost.PROPERTY_CC, NvmeTcpTestHost.CC_ENABLE), null)));
        success(ch).release();

        ByteBuffer identify = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_IDENTIFY, 3, 0),
                NvmeTcpTestHost.IDENTIFY_SIZE);
        identify.putInt(40, CNS_CONTROLLER);
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        batch.write(capsule(identify.array(), null));
        batch.write(capsule(NvmeTcpTestHost.propertySqe(4, false, 0, NvmeTcpTestHost.PROPERTY_CC,
                NvmeTcpTestHost.CC_ENABLE | CC_SHN_NORMAL), null));
        ch.writeInbound(Unpooled.wrappedBuffer(batch.toByteArray()));

        assertFalse(ch.isOpen(), "the connection closed");
        assertEquals(NvmeTcpTestHost.CC_ENABLE, c.properties().cc(), "the Property Set decoded after it did not run");
        assertNull(ch.readOutbound(), "nothing answered");
        target.close();
    }
}
