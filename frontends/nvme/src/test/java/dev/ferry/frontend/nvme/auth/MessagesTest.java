package dev.ferry.frontend.nvme.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Every message against bytes written from the layouts (NVMe Base 2.0 8.13, the same as Linux's struct
 * nvmf_auth_dhchap_*_data): offsets and little-endian fields by hand, not through the codecs.
 */
class MessagesTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] bytes(ByteBuf b) {
        return ByteBufUtil.getBytes(b);
    }

    static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(HEX.parseHex(hex.replace(" ", "")));
    }

    @Test
    void negotiate() throws AuthFailure {
        // type 00, id 00, rsvd, T_ID 0x0102, SC_C 0, NAPD 1 | AUTHID 01, rsvd, HALEN 3, DHLEN 2, hash ids 01 02 03
        String header = "00 00 0000 0201 00 01";
        String descriptor = "01 00 03 02 010203" + "00".repeat(27) + "0001" + "00".repeat(28);
        Negotiate n = Negotiate.decode(buf(header + descriptor));
        assertEquals(0x0102, n.tid());
        assertArrayEquals(new byte[] {1, 2, 3}, n.hashIds());
        assertArrayEquals(new byte[] {0, 1}, n.dhGroupIds());
        assertArrayEquals(HEX.parseHex((header + descriptor).replace(" ", "")), bytes(n.encode()));

        AuthFailure e = assertThrows(AuthFailure.class, () -> Negotiate.decode(buf(header + descriptor + "00")));
        assertEquals(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, e.explanation(), "length disagrees with NAPD");
        String halen31 = "01 00 1f 02" + "00".repeat(60);
        assertEquals(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD,
                assertThrows(AuthFailure.class, () -> Negotiate.decode(buf(header + halen31))).explanation());
        String notDhchap = "02 00 03 02" + "00".repeat(60);
        assertEquals(AuthSpec.EXPLANATION_PROTOCOL_UNUSABLE,
                assertThrows(AuthFailure.class, () -> Negotiate.decode(buf(header + notDhchap))).explanation());
    }

    @Test
    void challenge() throws AuthFailure {
        byte[] c1 = new byte[32];
        c1[0] = (byte) 0xAA;
        byte[] dh = {(byte) 0xDD, (byte) 0xEE};
        ByteBuf m = new Challenge(0x0102, 1, 1, 0x0A0B0C0DL, c1, dh).encode();
        // type 01, id 01, rsvd, T_ID, HL 32, rsvd, HASHID 01, DHGID 01, DHVLEN 2, SEQNUM, C1, DH value
        assertEquals("0101" + "0000" + "0201" + "20" + "00" + "01" + "01" + "0200" + "0d0c0b0a" + "aa"
                + "00".repeat(31) + "ddee", HEX.formatHex(bytes(m)));
        Challenge back = Challenge.decode(m);
        assertEquals(0x0A0B0C0DL, back.seqnum());
        assertArrayEquals(dh, back.dhValue());
    }

    @Test
    void reply() throws AuthFailure {
        // type 01, id 02, rsvd, T_ID, HL 32, rsvd, CVALID 1, rsvd, DHVLEN 0, SEQNUM 5 | R | C2
        String hex = "0102" + "0000" + "0201" + "20" + "00" + "01" + "00" + "0000" + "05000000"
                + "11".repeat(32) + "22".repeat(32);
        Reply r = Reply.decode(buf(hex), DhchapHash.SHA256, DhGroup.NULL);
        assertEquals(0x0102, r.tid());
        assertTrue(r.cvalid());
        assertEquals(5, r.seqnum());
        assertEquals((byte) 0x11, r.response()[31]);
        assertEquals((byte) 0x22, r.c2()[0]);
        assertEquals(hex, HEX.formatHex(bytes(r.encode())));

        assertEquals(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, assertThrows(AuthFailure.class,
                () -> Reply.decode(buf(hex), DhchapHash.SHA384, DhGroup.NULL)).explanation(), "HL of another hash");
        assertEquals(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, assertThrows(AuthFailure.class,
                () -> Reply.decode(buf(hex), DhchapHash.SHA256, DhGroup.FFDHE2048)).explanation(), "DHVLEN 0");
        String seq0 = hex.replace("05000000", "00000000");
        assertEquals(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, assertThrows(AuthFailure.class,
                () -> Reply.decode(buf(seq0), DhchapHash.SHA256, DhGroup.NULL)).explanation(), "S2 0 with CVALID");
        String truncated = hex.substring(0, hex.length() - 2);
        assertEquals(AuthSpec.EXPLANATION_INCORRECT_PAYLOAD, assertThrows(AuthFailure.class,
                () -> Reply.decode(buf(truncated), DhchapHash.SHA256, DhGroup.NULL)).explanation());
    }

    @Test
    void successAndFailure() throws AuthFailure {
        assertEquals("0103" + "0000" + "0201" + "20" + "00" + "00" + "00".repeat(7) + "00".repeat(32),
                HEX.formatHex(bytes(new Success1(0x0102, 32, null).encode())), "HL set even without RVALID");
        byte[] rval = new byte[32];
        rval[31] = 0x77;
        String withResponse = HEX.formatHex(bytes(new Success1(0x0102, 32, rval).encode()));
        assertEquals("0103" + "0000" + "0201" + "20" + "00" + "01" + "00".repeat(7) + "00".repeat(31) + "77",
                withResponse);
        assertArrayEquals(rval, Success1.decode(buf(withResponse)).response());

        assertEquals("0104" + "0000" + "0201" + "00".repeat(10), HEX.formatHex(bytes(new Success2(0x0102).encode())));
        assertEquals(0x0102, Success2.decode(buf("0104" + "0000" + "0201" + "00".repeat(10))).tid());

        assertEquals("00f1" + "0000" + "0201" + "01" + "06",
                HEX.formatHex(bytes(Failure.failure1(0x0102, AuthSpec.EXPLANATION_INCORRECT_PAYLOAD).encode())));
        Failure f2 = Failure.decode(buf("00f0" + "0000" + "0201" + "01" + "01"));
        assertEquals(false, f2.first());
        assertEquals(AuthSpec.EXPLANATION_FAILED, f2.explanation());
    }
}
