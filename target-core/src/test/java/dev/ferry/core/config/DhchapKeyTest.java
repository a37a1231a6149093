package dev.ferry.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHHC-1 secrets. The vectors are what nvme-cli 2.3 / libnvme 1.3 printed for {@code nvme gen-dhchap-key
 * --secret=000102...1f --hmac=0 --key-length=32}: the key bytes followed by their CRC-32, little endian.
 */
class DhchapKeyTest {
    static final String NVME_CLI_HMAC0 = "DHHC-1:00:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:";

    static byte[] range(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void parsesWhatNvmeCliPrints() {
        DhchapKey k = DhchapKey.parse(NVME_CLI_HMAC0 + "\n");
        assertEquals(0, k.hashId());
        assertArrayEquals(range(32), k.key());
        assertEquals(NVME_CLI_HMAC0, k.format(), "formatting gives nvme-cli's text back, CRC included");
        assertEquals(1, DhchapKey.parse("DHHC-1:01:/crQYP9rzIYwKOBYXUJm0JW92VUkJNC6UpqB2VyHzkKjM4Zu:").hashId());
    }

    @Test
    void rejectsBadSecretsWithoutQuotingThem() {
        String badCrc = NVME_CLI_HMAC0.replace("KfiaR", "KfiaS");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DhchapKey.parse(badCrc));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        assertFalse(e.getMessage().contains("AAECAw"), "the secret is never quoted");
        assertThrows(IllegalArgumentException.class, () -> DhchapKey.parse("DHHC-1:04:" + NVME_CLI_HMAC0.substring(10)));
        assertThrows(IllegalArgumentException.class, () -> DhchapKey.parse("CHAP-1:00:" + NVME_CLI_HMAC0.substring(10)));
        assertThrows(IllegalArgumentException.class, () -> DhchapKey.parse("DHHC-1:00:!!!!:"));
        assertThrows(IllegalArgumentException.class, () -> DhchapKey.parse("DHHC-1:00:AAECAw==:"), "too short");
        // a 32-byte key announced as SHA-384 (which needs 48), CRC correct: the length rule, not the CRC, refuses
        String as384 = new DhchapKey(2, range(32)).format();
        e = assertThrows(IllegalArgumentException.class, () -> DhchapKey.parse(as384));
        assertTrue(e.getMessage().contains("needs 48"), e.getMessage());
        assertFalse(new DhchapKey(0, range(32)).toString().contains("0, 1"), "toString hides the key");
    }

    @Test
    void fileProblemsAreConfigErrors(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good"), NVME_CLI_HMAC0 + "\n");
        Path bad = Files.writeString(dir.resolve("bad"), "secret123456\n");
        assertNull(DhchapKey.problem(good.toString()));
        String p = DhchapKey.problem(bad.toString());
        assertTrue(p.contains("not a DHHC-1 secret"), p);
        assertFalse(p.contains("secret123456"));
        assertTrue(DhchapKey.problem(dir.resolve("missing").toString()).startsWith("cannot read"));
        Path huge = Files.write(dir.resolve("huge"), new byte[4096]);
        assertTrue(DhchapKey.problem(huge.toString()).contains("more than"));
    }
}
