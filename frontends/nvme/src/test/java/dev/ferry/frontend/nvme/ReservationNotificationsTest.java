package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.ram.RamBackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.ReservationType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservation notifications (log page 80h and its event), the reservation features (0Dh, 81h, 82h) and PTPL
 * across a restart of the unit, on the controller model.
 */
class ReservationNotificationsTest {
    static final long AEN_RESERVATION_LOG = 0x00_80_00_06L;

    static ByteBuffer getFeatures(int fid, long nsid, int cdw11, int dataLength) {
        ByteBuffer b = ModelHarness.withSgl(ModelHarness.sqe(0x0A, nsid), dataLength);
        return b.putInt(40, fid).putInt(44, cdw11);
    }

    static ByteBuffer setFeatures(int fid, long nsid, int cdw11) {
        return ModelHarness.sqe(0x09, nsid).putInt(40, fid).putInt(44, cdw11);
    }

    @Test
    void aPreemptedHostGetsTheEventAndTheLogPage() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue adminA = h.admin(0);
            ModelHarness.FakeQueue a = h.queue();
            a.run(ModelHarness.connect(1, 31, 0), ModelHarness.connectData(h.cntlid(adminA), ModelHarness.NQN,
                    ModelHarness.HOST));
            ModelHarness.FakeQueue b = ReservationCommandsTest.otherHost(h, (byte) 0x42);
            adminA.submit(ModelHarness.sqe(0x0C, 0), null); // an Asynchronous Event Request waits
            assertEquals(0, ReservationCommandsTest.register(a, 0, 0, 0xA));
            assertEquals(0, ReservationCommandsTest.register(b, 0, 0, 0xB));
            assertEquals(0, ReservationCommandsTest.acquire(a, 0x100, 0xA, 0));
            assertEquals(0, ReservationCommandsTest.acquire(b, 0x101, 0xB, 0xA)); // B preempts A

            ModelHarness.Done aen = adminA.next();
            assertEquals(0, aen.status());
            assertEquals(AEN_RESERVATION_LOG, aen.result(), "type 6h, information 00h, log page 80h");
            ModelHarness.Done page = adminA.run(ModelHarness.getLogPage(0x80, 64, false), null);
            assertEquals(0, page.status());
            byte[] expected = new byte[64];
            expected[0] = 1; // Log Page Count
            expected[8] = 1; // Registration Preempted
            expected[12] = 1; // NSID
            assertArrayEquals(expected, page.data());
            assertArrayEquals(new byte[64], adminA.run(ModelHarness.getLogPage(0x80, 64, false), null).data());
        }
    }

    @Test
    void theMaskSuppressesANotificationType() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue adminA = h.admin(0);
            ModelHarness.FakeQueue a = h.queue();
            a.run(ModelHarness.connect(1, 31, 0), ModelHarness.connectData(h.cntlid(adminA), ModelHarness.NQN,
                    ModelHarness.HOST));
            ModelHarness.FakeQueue b = ReservationCommandsTest.otherHost(h, (byte) 0x42);
            assertEquals(0x4002, adminA.run(setFeatures(0x82, 1, 1), null).status(), "bit 0 is not a mask bit");
            assertEquals(0, adminA.run(setFeatures(0x82, 0xFFFFFFFFL, 1 << 1), null).status(), "mask REGPRE");
            assertEquals(1L << 1, adminA.run(getFeatures(0x82, 1, 0, 0), null).result());
            assertEquals(0, ReservationCommandsTest.register(a, 0, 0, 0xA));
            assertEquals(0, ReservationCommandsTest.register(b, 0, 0, 0xB));
            assertEquals(0, ReservationCommandsTest.acquire(b, 0x101, 0xB, 0xA)); // removes A's registration
            assertArrayEquals(new byte[64], adminA.run(ModelHarness.getLogPage(0x80, 64, false), null).data());
        }
    }

    @Test
    void hostIdentifierFeature() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            ModelHarness.Done id = admin.run(getFeatures(0x81, 0, 1, 16), null);
            assertEquals(0, id.status());
            assertArrayEquals(ReservationCommandsTest.HOST_ID, id.data(), "the Connect's HOSTID bytes");
            assertEquals(0x4002, admin.run(getFeatures(0x81, 0, 0, 16), null).status(), "EXHID=0 on fabrics");
            assertEquals(0x400C, admin.run(setFeatures(0x81, 0, 0), null).status(),
                    "Set is a Command Sequence Error on fabrics, as nvmet");
        }
    }

    @Test
    void ptplIsTheUnitsAptplAndSurvivesARestart(@TempDir Path dir) throws Exception {
        try (ModelHarness h = new ModelHarness()) {
            BackstoreConfig cfg = new BackstoreConfig("disk0", "ram", "1M", null, 512, null, false, null, null, null);
            LogicalUnit u = new LogicalUnit(new RamBackendFactory().open(cfg), 1, dir);
            u.start();
            h.units.put("disk0", u);
            h.publish(1);
            ModelHarness.FakeQueue admin = h.admin(0);
            ModelHarness.FakeQueue io = h.queue();
            io.run(ModelHarness.connect(1, 31, 0), ModelHarness.connectData(h.cntlid(admin), ModelHarness.NQN,
                    ModelHarness.HOST));
            assertEquals(0L, admin.run(getFeatures(0x0D, 1, 0, 0), null).result());
            assertEquals(0, admin.run(setFeatures(0x0D, 1, 1), null).status());
            assertEquals(1L, admin.run(getFeatures(0x0D, 1, 0, 0), null).result());
            assertTrue(u.reservations().state().aptpl(), "one setting with SCSI's APTPL");
            assertTrue(Files.exists(dir.resolve("disk0.pr.json")), "stored before it took effect");
            assertEquals(0, ReservationCommandsTest.register(io, 0, 0, 0xABC));
            assertEquals(0, ReservationCommandsTest.acquire(io, 0x200, 0xABC, 0));
            byte[] before = ReservationCommandsTest.report(io, 128, true).data();
            assertEquals(1, before[9], "PTPLS in the report");

            // The unit restarts (Ferry restarts): a new unit on the same state directory
            u.close();
            LogicalUnit again = new LogicalUnit(new RamBackendFactory().open(cfg), 1, dir);
            again.start();
            h.units.put("disk0", again);
            assertEquals(ReservationType.EXCLUSIVE_ACCESS, again.reservations().state().reservation().type());
            h.publish(1);
            ModelHarness.FakeQueue admin2 = h.admin(0);
            ModelHarness.FakeQueue io2 = h.queue();
            io2.run(ModelHarness.connect(1, 31, 0), ModelHarness.connectData(h.cntlid(admin2), ModelHarness.NQN,
                    ModelHarness.HOST));
            assertEquals(1L, admin2.run(getFeatures(0x0D, 1, 0, 0), null).result());
            byte[] after = ReservationCommandsTest.report(io2, 128, true).data();
            assertArrayEquals(before, after, "generation, type, PTPLS, key and host all kept");

            // PTPL off: the stored state goes, the live one stays
            assertEquals(0, admin2.run(setFeatures(0x0D, 1, 0), null).status());
            assertTrue(Files.notExists(dir.resolve("disk0.pr.json")));
            assertEquals(1, again.reservations().state().registrations().size());
        }
    }

    @Test
    void ptplOnWithoutAStoreIsInvalidField() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            assertEquals(0x4002, admin.run(setFeatures(0x0D, 1, 1), null).status());
            assertEquals(0x400B, admin.run(getFeatures(0x0D, 9, 0, 0), null).status(), "inactive NSID");
            assertEquals(false, h.units.get("disk0").reservations().state().aptpl());
        }
    }
}
