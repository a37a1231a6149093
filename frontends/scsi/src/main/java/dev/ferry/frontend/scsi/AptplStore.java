package dev.ferry.frontend.scsi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.frontend.scsi.ReservationState.Registrant;
import dev.ferry.frontend.scsi.ReservationState.Registration;
import dev.ferry.frontend.scsi.ReservationState.Reservation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Persistent reservations that must survive power loss (APTPL, SPC-4 5.13.5): one small JSON file per logical unit
 * in the state directory, named after the backstore ({@code <unit name>.pr.json}). A file exists exactly while the
 * last APTPL value was one. Written atomically: temporary file, fsync, rename over the old one, fsync of the
 * directory, so a crash leaves either the old or the new state.
 */
final class AptplStore {
    static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path directory;

    /** Creates the directory if needed. */
    AptplStore(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the reservation state directory " + directory, e);
        }
    }

    Path file(String unitName) {
        return directory.resolve(unitName.replaceAll("[^A-Za-z0-9._-]", "_") + ".pr.json");
    }

    /**
     * The saved state, with APTPL in force, or the empty state when nothing was saved. An unreadable file fails
     * loudly: starting without registrations another host relies on for fencing would be worse than not starting.
     */
    ReservationState load(String unitName) {
        Path f = file(unitName);
        if (!Files.exists(f)) {
            return ReservationState.EMPTY;
        }
        try {
            Saved saved = MAPPER.readValue(f.toFile(), Saved.class);
            if (saved.version() != FORMAT_VERSION) {
                throw new IOException("unknown format version " + saved.version());
            }
            Map<Registrant, Registration> regs = new LinkedHashMap<>();
            for (SavedRegistration r : saved.registrations()) {
                regs.put(Registrant.of(r.nexus()), new Registration(Long.parseUnsignedLong(r.key(), 16), r.nexus()));
            }
            Reservation res = null;
            if (saved.reservation() != null) {
                ReservationType type = ReservationType.of(saved.reservation().type());
                if (type == null) {
                    throw new IOException("unknown reservation type " + saved.reservation().type());
                }
                res = new Reservation(type, saved.reservation().holder());
            }
            return new ReservationState(saved.generation(), true, regs, res);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read persistent reservations from " + f, e);
        }
    }

    void save(String unitName, ReservationState s) throws IOException {
        List<SavedRegistration> regs = new ArrayList<>();
        s.registrations().values().forEach(r -> regs.add(new SavedRegistration(Long.toHexString(r.key()), r.nexus())));
        SavedReservation res = s.reservation() == null ? null
                : new SavedReservation(s.reservation().type().code, s.reservation().holder());
        byte[] json = MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new Saved(FORMAT_VERSION, s.generation(), regs, res));
        Path target = file(unitName);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(json);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    void delete(String unitName) throws IOException {
        if (Files.deleteIfExists(file(unitName))) {
            syncDirectory();
        }
    }

    /** Makes the rename (or unlink) itself durable. */
    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The file's layout: reservation keys as hex strings, the holder named as in {@link Registrant}. */
    record Saved(int version, int generation, List<SavedRegistration> registrations, SavedReservation reservation) {
    }

    record SavedRegistration(String key, ItNexus nexus) {
    }

    record SavedReservation(int type, Registrant holder) {
    }
}
