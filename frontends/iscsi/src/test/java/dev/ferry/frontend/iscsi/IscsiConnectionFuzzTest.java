package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.Portal;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPduDecoder;
import dev.ferry.frontend.iscsi.pdu.IscsiPduEncoder;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.session.ExportCommands;
import dev.ferry.frontend.iscsi.session.ConnectionLimits;
import dev.ferry.frontend.iscsi.session.IscsiConnection;
import dev.ferry.frontend.iscsi.session.SessionTable;
import dev.ferry.frontend.iscsi.session.TargetServices;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Random and mutated PDUs after a valid login: the connection answers or drops, and never throws out. */
class IscsiConnectionFuzzTest {

    static final class Services implements TargetServices {
        final UnitRegistry registry = new UnitRegistry();
        final SessionTable sessions = new SessionTable();
        final FakeCommandSet fake = new FakeCommandSet();
        CompletionQueue queue;

        Services() {
            registry.replace(Map.of(), List.of(new Export(TestTargets.TARGET, "iscsi", null,
                    List.of(new Portal("127.0.0.1", 3260)), new TreeMap<>(), Set.of(), true)));
        }

        @Override public UnitRegistry registry() { return registry; }
        @Override public NegotiationLimits limits() { return NegotiationLimits.DEFAULT; }
        @Override public ConnectionLimits connectionLimits() { return ConnectionLimits.DEFAULT; }
        @Override public SessionTable sessions() { return sessions; }
        @Override public ExportCommands commandSet(Export export) { return fake; }
        @Override public CompletionQueue completionQueue(EventExecutor loop) {
            if (queue == null) {
                queue = new CompletionQueue(loop, 64);
            }
            return queue;
        }
        @Override public List<String> targetAddresses(Export export, InetSocketAddress local) { return List.of(); }
        @Override public int commandWindow() { return 128; }
        @Override public boolean stopping() { return false; }
    }

    static EmbeddedChannel loggedIn(Services s) {
        IscsiPduDecoder dec = new IscsiPduDecoder(NegotiationLimits.DEFAULT.maxRecvDataSegmentLength());
        IscsiPduEncoder enc = new IscsiPduEncoder();
        EmbeddedChannel ch = new EmbeddedChannel(dec, enc, new IscsiConnection(s, dec, enc));
        IscsiPdu login = LoginPdu.request(LoginPdu.stageFlags(true, false, 1, 3), 0x1234, 0, 1, 0, 1, 0);
        login.data(IscsiTestClient.text(Map.of("InitiatorName", "iqn.2026-11.x:fuzz", "TargetName", TestTargets.TARGET)));
        ch.writeInbound(IscsiPduCodecTestAccess.encode(login));
        ByteBuf out = ch.readOutbound();
        assertEquals(Opcode.LOGIN_RESPONSE, out.getByte(0) & 0x3f);
        assertEquals(0, out.getShort(36));
        out.release();
        return ch;
    }

    @Test
    void mutatedPdusNeverEscape() {
        Random rnd = new Random(42);
        int dropped = 0;
        for (int round = 0; round < 300; round++) {
            Services s = new Services();
            EmbeddedChannel ch = loggedIn(s);
            for (int i = 0; i < 20 && ch.isActive(); i++) {
                byte[] bhs = new byte[48];
                rnd.nextBytes(bhs);
                int[] ops = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10, 0x1c, 0x3f, rnd.nextInt(64)};
                bhs[0] = (byte) ((bhs[0] & 0x40) | ops[rnd.nextInt(ops.length)]);
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(3000) : 0;
                bhs[4] = (byte) (rnd.nextInt(8) == 0 ? rnd.nextInt(3) : 0);
                bhs[5] = (byte) (len >>> 16);
                bhs[6] = (byte) (len >>> 8);
                bhs[7] = (byte) len;
                ByteBuf wire = Unpooled.buffer();
                wire.writeBytes(bhs);
                wire.writeZero((bhs[4] & 0xff) * 4);
                byte[] data = new byte[len + ((4 - (len & 3)) & 3)];
                rnd.nextBytes(data);
                wire.writeBytes(data);
                ch.writeInbound(wire);
                ch.runPendingTasks();
                ch.checkException();
                Object o;
                while ((o = ch.readOutbound()) != null) {
                    ReferenceCountUtil.release(o);
                }
                Object in;
                while ((in = ch.readInbound()) != null) {
                    ReferenceCountUtil.release(in);
                }
            }
            s.fake.releaseHeldIfAny();
            ch.runPendingTasks();
            if (!ch.isActive()) {
                dropped++;
            }
            ch.finishAndReleaseAll();
        }
        assertTrue(dropped < 300, "most garbage is answered with Reject, not a drop");
    }

    @Test
    void garbageDuringLoginDropsCleanly() {
        Random rnd = new Random(7);
        for (int round = 0; round < 300; round++) {
            Services s = new Services();
            IscsiPduDecoder dec = new IscsiPduDecoder(8192);
            IscsiPduEncoder enc = new IscsiPduEncoder();
            EmbeddedChannel ch = new EmbeddedChannel(dec, enc, new IscsiConnection(s, dec, enc));
            byte[] bhs = new byte[48];
            rnd.nextBytes(bhs);
            bhs[0] = (byte) (rnd.nextBoolean() ? 0x43 : bhs[0]);
            bhs[4] = 0;
            int len = rnd.nextInt(200);
            bhs[5] = 0;
            bhs[6] = (byte) (len >>> 8);
            bhs[7] = (byte) len;
            ByteBuf wire = Unpooled.buffer().writeBytes(bhs);
            byte[] data = new byte[len + ((4 - (len & 3)) & 3)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) "ab=\0".charAt(rnd.nextInt(4));
            }
            wire.writeBytes(data);
            ch.writeInbound(wire);
            ch.runPendingTasks();
            ch.checkException();
            ch.finishAndReleaseAll();
        }
    }
}
