package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qemu-img copies a random 64 MiB image onto a LUN and back, unchanged; a file LUN holds it in its file. */
class QemuImageRoundTripTest {
    private static final long SIZE = 64L << 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    static Path dir;
    private static Path image;
    private static Path backingFile;
    private static FerryTarget ferry;

    @BeforeAll
    static void start() throws Exception {
        image = dir.resolve("image.raw");
        writeRandom(image, SIZE);
        backingFile = dir.resolve("lun1.img");
        ferry = FerryTarget.start(FerryTarget.ram("ram", "64M"), FerryTarget.file("file", backingFile, "64M"));
    }

    @AfterAll
    static void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void ramLunRoundTrip() {
        Path back = roundTrip(0);
        assertEquals(-1, mismatch(image, back), "the image read back from the RAM LUN differs");
    }

    @Test
    void fileLunRoundTripAndTheBackingFileHoldsTheBytes() {
        Path back = roundTrip(1);
        assertEquals(-1, mismatch(image, back), "the image read back from the file LUN differs");
        assertEquals(-1, mismatch(image, backingFile), "the backing file does not hold the image");
    }

    private Path roundTrip(int lun) {
        String url = ferry.lunUrl(lun);
        ToolRun.run(TIMEOUT, "qemu-img", "convert", "-O", "raw", image.toString(), url).assertOk();
        Path back = dir.resolve("back" + lun + ".raw");
        ToolRun.run(TIMEOUT, "qemu-img", "convert", "-O", "raw", url, back.toString()).assertOk();
        return back;
    }

    private static long mismatch(Path a, Path b) {
        try {
            return Files.mismatch(a, b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }
}
