package dev.ferry.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** The version Maven wrote into ferry-version.properties at build time. */
public final class FerryVersion implements CommandLine.IVersionProvider {
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = FerryVersion.class.getResourceAsStream("/ferry-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"ferry " + version()};
    }
}
