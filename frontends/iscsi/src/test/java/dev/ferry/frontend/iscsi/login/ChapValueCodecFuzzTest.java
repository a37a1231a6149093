package dev.ferry.frontend.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any CHAP_C/CHAP_R/CHAP_I-style value decodes to 1-1024 bytes that encode back to an equivalent value, or is
 * refused with the documented IllegalArgumentException (a Login Reject); never another exception.
 */
class ChapValueCodecFuzzTest {

    @FuzzTest
    void decodesOrRefuses(byte[] input) {
        String value = new String(input, StandardCharsets.UTF_8);
        byte[] bytes;
        try {
            bytes = ChapValueCodec.decode(value);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertTrue(bytes.length >= 1 && bytes.length <= ChapValueCodec.MAX_BINARY_LENGTH);
        assertArrayEquals(bytes, ChapValueCodec.decode(ChapValueCodec.encode(bytes)), "encode/decode round trip");
    }
}
