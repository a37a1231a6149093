package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jscsi.initiator.Configuration;
import org.jscsi.initiator.Initiator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jSCSI initiator (pure Java, a different iSCSI implementation from libiscsi's) writes and reads back. jSCSI
 * always addresses LUN 0 and reads its settings from an XML file validated against the schema in its jar, so the
 * test writes such a file: the jar's default global settings plus one target at Ferry's address.
 */
class JscsiInitiatorTest {
    private static final String SESSION = "ferry";

    @TempDir
    Path dir;

    @Test
    void writesAndReadsBack() throws Exception {
        try (FerryTarget ferry = FerryTarget.start(FerryTarget.ram("jscsi", "32M"))) {
            Initiator initiator = new Initiator(configuration(ferry.port()));
            byte[] written = new byte[1 << 20];
            new Random(7).nextBytes(written);
            ByteBuffer readBack = ByteBuffer.allocate(written.length);

            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                initiator.createSession(SESSION);
                try {
                    assertEquals(512, initiator.getBlockSize(SESSION));
                    initiator.write(SESSION, ByteBuffer.wrap(written), 2048, written.length);
                    initiator.read(SESSION, readBack, 2048, written.length);
                } finally {
                    initiator.closeSession(SESSION);
                }
            });
            assertArrayEquals(written, readBack.array());
        }
    }

    private Configuration configuration(int port) throws Exception {
        Path schema = dir.resolve("jscsi.xsd");
        Path config = dir.resolve("jscsi.xml");
        Files.writeString(schema, resource("/jscsi.xsd"));
        Matcher global = Pattern.compile("<global>.*?</global>", Pattern.DOTALL).matcher(resource("/jscsi.xml"));
        if (!global.find()) {
            throw new IllegalStateException("jSCSI's default jscsi.xml has no <global> section");
        }
        Files.writeString(config, """
                <?xml version="1.0" encoding="UTF-8" ?>
                <configuration xmlns="http://www.jscsi.org/2006-09"
                    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                    xsi:schemaLocation="http://www.jscsi.org/2006-09 jscsi.xsd">
                  %s
                  <target id="%s" address="127.0.0.1" port="%d">
                    <ImmediateData>No</ImmediateData>
                    <InitiatorName>iqn.2026-11.dev.ferry:jscsi</InitiatorName>
                    <TargetName>%s</TargetName>
                  </target>
                </configuration>
                """.formatted(global.group(), SESSION, port, FerryTarget.IQN));
        return Configuration.create(schema.toFile(), config.toFile());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Initiator.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("jSCSI's jar has no " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
