package dev.ferry.frontend.iscsi.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Known answers for H(Identifier || secret || Challenge) (RFC 1994 4.1), computed outside Java (Python hashlib)
 * for Identifier 0x2a, secret "secretsecret" and the challenge 00 01 .. 0f.
 */
class ChapAlgorithmTest {
    static final byte[] SECRET = "secretsecret".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CHALLENGE = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "MD5, 54d49338a27b0c1dd5e935c21ab005a3",
            "SHA1, b060c80c0e004a388193dd4b911b5a400ca2b931",
            "SHA256, 2076dab09b25dfe7f89cdb79aa854cf8af88246b80126a0856a426662b39d903",
            "SHA3_256, 1e1bc4b940a438823a7ab5862e223043f6f65ee8148abe3310f5b7de30b8aa95",
    })
    void knownAnswers(ChapAlgorithm a, String expected) {
        assertArrayEquals(HexFormat.of().parseHex(expected), a.response(0x2a, SECRET, CHALLENGE));
        assertEquals(expected.length() / 2, a.length());
    }

    @ParameterizedTest(name = "CHAP_A={0} -> {1}")
    @CsvSource({
            "5, MD5",
            "'7,6,5', SHA256",
            "'8,7,6,5', SHA3_256",
            "'9,6', SHA1",
            "'x, 5', MD5",
    })
    void firstSupportedOfTheInitiatorsList(String offered, ChapAlgorithm expected) {
        assertEquals(expected, ChapAlgorithm.select(offered));
    }

    @ParameterizedTest
    @CsvSource({"9", "'1,2,3'", "''", "MD5"})
    void nothingSupported(String offered) {
        assertNull(ChapAlgorithm.select(offered));
    }
}
