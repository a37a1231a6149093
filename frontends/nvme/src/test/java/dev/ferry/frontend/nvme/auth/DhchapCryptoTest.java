package dev.ferry.frontend.nvme.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ferry.core.config.DhchapKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known answers for the DH-HMAC-CHAP computations, each from a route independent of this code:
 * <ul>
 * <li>key transformation: nvme-cli 2.3 / libnvme 1.3, {@code nvme gen-dhchap-key --secret=00..(n-1) --hmac=h
 * --nqn=nqn.2014-08.org.nvmexpress:uuid:host1} prints exactly HMAC(key, NQN || "NVMe-over-Fabrics");
 * <li>responses and the augmented challenge: {@code openssl dgst -sha256 -mac HMAC} over the byte strings written
 * out by hand from the spec's formula (C || LE32 seqnum || LE16 T_ID || 00h || role || NQN || 00h || NQN), run
 * once and recorded.
 * </ul>
 */
class DhchapCryptoTest {
    static final HexFormat HEX = HexFormat.of();
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:host1";
    static final String SUB = "nqn.2024-01.dev.ferry:sub1";

    static byte[] range(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void keyTransformationMatchesLibnvme() {
        assertArrayEquals(DhchapKey.parse("DHHC-1:01:/crQYP9rzIYwKOBYXUJm0JW92VUkJNC6UpqB2VyHzkKjM4Zu:").key(),
                DhchapCrypto.transformKey(new DhchapKey(1, range(0, 32)), HOST));
        assertArrayEquals(DhchapKey.parse(
                "DHHC-1:02:J9vm5disPzUzPvsuVthIMWgfIeo09HlyaHEWBVVoARwdWdM7wmU1FPz5rF2u60f/MpLr7Q==:").key(),
                DhchapCrypto.transformKey(new DhchapKey(2, range(0, 48)), HOST));
        assertArrayEquals(DhchapKey.parse("DHHC-1:03:amSmsWa9ZXIhv67PXuua7RWyZuxpEkDU1nSoxBrJLAykzgofK6AVuIUPL/"
                + "+ZXgtS0Rhg25rjMLDKghXkytQ+s3IORl0=:").key(),
                DhchapCrypto.transformKey(new DhchapKey(3, range(0, 64)), HOST));
        assertArrayEquals(range(0, 32), DhchapCrypto.transformKey(new DhchapKey(0, range(0, 32)), HOST),
                "hash id 00: the key as it is");
    }

    @Test
    void hostResponseNullGroup() {
        byte[] r = DhchapCrypto.hostResponse(DhchapHash.SHA256, new DhchapKey(1, range(0, 32)), HOST, SUB,
                range(0xA0, 32), 0x01020304L, 0x1234, null);
        assertArrayEquals(HEX.parseHex("7665af0a5dc6f487120ea797856107844db596ed3d78d9da14a00080060913ca"), r);
    }

    @Test
    void augmentedChallengeAndHostResponseWithDh() {
        byte[] sessionKey = new byte[256];
        for (int i = 0; i < sessionKey.length; i++) {
            sessionKey[i] = (byte) (i * 7);
        }
        assertArrayEquals(HEX.parseHex("067c5381dc9ec0a6a11d58a527c0a8626483830abe62f8380afa53af9340d657"),
                DhchapCrypto.augmentedChallenge(DhchapHash.SHA256, sessionKey, range(0xA0, 32)));
        assertArrayEquals(HEX.parseHex("92faa521d3c68979923f1435d96cbe2469b79d525bae4b947cc269919c1eb798"),
                DhchapCrypto.hostResponse(DhchapHash.SHA256, new DhchapKey(1, range(0, 32)), HOST, SUB,
                        range(0xA0, 32), 0x01020304L, 0x1234, sessionKey));
    }

    @Test
    void controllerResponseSwapsRoleAndNqns() {
        assertArrayEquals(HEX.parseHex("34997380b03de242402d5e4277841d03131f8f1fb1067d08c231f2cde86d021d"),
                DhchapCrypto.controllerResponse(DhchapHash.SHA256, new DhchapKey(0, range(0x40, 32)), SUB, HOST,
                        range(0xC0, 32), 0x05060708L, 0x1234, null));
    }
}
