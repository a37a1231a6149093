package dev.ferry.frontend.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7143 6.1 binary values as CHAP_C and CHAP_R carry them. */
class ChapValueCodecTest {

    @Test
    void hexAndBase64InBothCases() {
        byte[] want = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef};
        assertArrayEquals(want, ChapValueCodec.decode("0xdeadbeef"));
        assertArrayEquals(want, ChapValueCodec.decode("0XDEADBEEF"));
        assertArrayEquals(want, ChapValueCodec.decode("0b3q2+7w=="));
        assertArrayEquals(want, ChapValueCodec.decode("0B3q2+7w=="));
        // n hex digits are (n+1)/2 bytes: an odd count has an implied leading zero nibble.
        assertArrayEquals(new byte[] {0x0a, (byte) 0xbc}, ChapValueCodec.decode("0xabc"));
        assertEquals("0xdeadbeef", ChapValueCodec.encode(want));
    }

    @Test
    void lengthLimitOf1024Bytes() {
        byte[] max = new byte[ChapValueCodec.MAX_BINARY_LENGTH];
        assertArrayEquals(max, ChapValueCodec.decode(ChapValueCodec.encode(max)));
        assertArrayEquals(max, ChapValueCodec.decode("0b" + Base64.getEncoder().encodeToString(max)));
        byte[] over = new byte[ChapValueCodec.MAX_BINARY_LENGTH + 1];
        assertThrows(IllegalArgumentException.class, () -> ChapValueCodec.decode(ChapValueCodec.encode(over)));
        assertThrows(IllegalArgumentException.class,
                () -> ChapValueCodec.decode("0b" + Base64.getEncoder().encodeToString(over)));
        assertThrows(IllegalArgumentException.class,
                () -> ChapValueCodec.decode("0x" + "0".repeat(1 << 20)), "a huge value is refused before decoding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0x", "0b", "deadbeef", "0xdeadbeeg", "0b$$$$", "0zdead", "12345"})
    void garbageIsRefusedWithoutQuotingIt(String v) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChapValueCodec.decode(v));
        assertFalse(!v.isEmpty() && e.getMessage().contains(v), "the message quotes the value");
    }
}
