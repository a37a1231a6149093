package dev.ferry.core.unit.reservation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reservations that must survive power loss (APTPL, SPC-4 5.13.5): one small JSON file per logical unit, named after
 * its backstore, in the reservation directory. The file exists exactly while the last APTPL value was one. Written
 * atomically: a uniquely named temporary file, fsync, rename over the old one, fsync of the directory, so a crash
 * leaves either the old or the new state and two units (or two writers) never share a temporary file.
 */
public final class ReservationStore {
    /** 2: registrants as {@link Registrant}s, one file per unit (1 was per SCSI target and is not read). */
    static final int FORMAT_VERSION = 2;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path directory;
    private final Path file;

    /** The store of unit {@code unitName} in {@code directory}, which is created if needed. */
    public ReservationStore(Path directory, String unitName) {
        this.directory = directory;
        this.file = directory.resolve(fileName(unitName));
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the reservation state directory " + directory, e);
        }
    }

    /**
     * {@code <name>.pr.json} with every character but letters, digits, '.' and '-' written as %XX (UTF-8), so
     * distinct backstore names ("a:b", "a_b") always get distinct files.
     */
    static String fileName(String unitName) {
        StringBuilder sb = new StringBuilder();
        for (byte b : unitName.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return sb.append(".pr.json").toString();
    }

    public Path file() {
        return file;
    }

    /**
     * The saved state, with APTPL in force, or the empty state when nothing was saved. An unreadable file fails
     * loudly: starting without registrations another host relies on for fencing would be worse than not starting.
     */
    public ReservationState load() {
        if (!Files.exists(file)) {
            return ReservationState.EMPTY;
        }
        try {
            Saved saved = MAPPER.readValue(file.toFile(), Saved.class);
            if (saved.version() != FORMAT_VERSION) {
                throw new IOException("unknown format version " + saved.version());
            }
            Map<Registrant, Registration> regs = new LinkedHashMap<>();
            for (SavedRegistration r : saved.registrations()) {
                regs.put(r.registrant(), new Registration(Long.parseUnsignedLong(r.key(), 16)));
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
            throw new IllegalStateException("cannot read persistent reservations from " + file, e);
        }
    }

    public void save(ReservationState s) throws IOException {
        List<SavedRegistration> regs = new ArrayList<>();
        s.registrations().forEach((who, r) -> regs.add(new SavedRegistration(Long.toHexString(r.key()), who)));
        SavedReservation res = s.reservation() == null ? null
                : new SavedReservation(s.reservation().type().code, s.reservation().holder());
        byte[] json = MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new Saved(FORMAT_VERSION, s.generation(), regs, res));
        Path tmp = Files.createTempFile(directory, file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(json);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory();
    }

    public void delete() throws IOException {
        if (Files.deleteIfExists(file)) {
            syncDirectory();
        }
    }

    /** Makes the rename (or unlink) itself durable. */
    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The file's layout: reservation keys as hex strings, types as SPC-4 TYPE values. */
    record Saved(int version, int generation, List<SavedRegistration> registrations, SavedReservation reservation) {
    }

    record SavedRegistration(String key, Registrant registrant) {
    }

    record SavedReservation(int type, Registrant holder) {
    }
}
