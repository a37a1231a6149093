package dev.ferry.frontend.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.UnitIdentity;
import dev.ferry.frontend.scsi.TargetHarness.Response;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS over real units, with parameter lists written byte by byte from
 * SPC-4 6.4: copies within a LUN and between LUNs (overlapping too), every refusal with its sense and field
 * pointer, hostile lists (lying lengths, too many descriptors, huge lengths), the copy target checks (reservations,
 * write protect, capacity), abort, and what RECEIVE COPY RESULTS and the Third-party Copy VPD page report.
 */
class ExtendedCopyTest {
    private static final int BS = 512;
    private static final int BLOCKS = 4096;
    private final TargetHarness h = new TargetHarness(TargetHarness.disk("lu0", BLOCKS),
            TargetHarness.disk("lu1", BLOCKS), TargetHarness.disk("ro", BLOCKS, BS, true),
            TargetHarness.disk("4k", BLOCKS, 4096, false));

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    // ---- parameter list builders (SPC-4 6.4) ----

    static byte[] header(int listId, int listIdUsage, int cscdLength, int segmentLength, int inlineLength) {
        byte[] p = new byte[16];
        p[0] = (byte) listId;
        p[1] = (byte) (listIdUsage << 3);
        Cdb.put16(p, 2, cscdLength);
        Cdb.put32(p, 8, segmentLength);
        Cdb.put32(p, 12, inlineLength);
        return p;
    }

    /** An identification CSCD descriptor (E4h) naming the unit by its 8-byte NAA designator. */
    static byte[] cscd(String unitName, int blockLength) {
        byte[] d = new byte[32];
        d[0] = (byte) 0xE4;
        d[4] = 0x01;       // CODE SET binary
        d[5] = 0x03;       // ASSOCIATION logical unit, DESIGNATOR TYPE NAA
        d[7] = 8;
        Cdb.put64(d, 8, UnitIdentity.derive(unitName, "RAM DISK").naa());
        d[29] = (byte) (blockLength >>> 16);
        d[30] = (byte) (blockLength >>> 8);
        d[31] = (byte) blockLength;
        return d;
    }

    static byte[] segment(int source, int destination, int blocks, long sourceLba, long destinationLba) {
        byte[] d = new byte[28];
        d[0] = 0x02;
        Cdb.put16(d, 2, 0x18);
        Cdb.put16(d, 4, source);
        Cdb.put16(d, 6, destination);
        Cdb.put16(d, 10, blocks);
        Cdb.put64(d, 12, sourceLba);
        Cdb.put64(d, 20, destinationLba);
        return d;
    }

    static byte[] list(int listId, int usage, byte[][] cscds, byte[]... segments) {
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        for (byte[] d : cscds) {
            c.writeBytes(d);
        }
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (byte[] d : segments) {
            s.writeBytes(d);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(listId, usage, c.size(), s.size(), 0));
        out.writeBytes(c.toByteArray());
        out.writeBytes(s.toByteArray());
        return out.toByteArray();
    }

    static byte[] xcopyCdb(long length) {
        byte[] cdb = TargetHarness.cdb(0x83);
        Cdb.put32(cdb, 10, length);
        return cdb;
    }

    private Response xcopy(byte[] parameters) {
        return h.run(TargetHarness.A, 0, xcopyCdb(parameters.length), parameters.length, parameters);
    }

    private Response receive(int serviceAction, int listId) {
        byte[] cdb = TargetHarness.cdb(0x84, serviceAction, listId);
        Cdb.put32(cdb, 10, 1024);
        return h.run(TargetHarness.A, 0, cdb, 1024, null);
    }

    private void write(long lun, long lba, byte[] data) {
        h.run(TargetHarness.A, lun, TargetHarness.write10(lba, data.length / BS), data.length, data).assertGood();
    }

    private byte[] read(long lun, long lba, int blocks) {
        return h.run(TargetHarness.A, lun, TargetHarness.read10(lba, blocks), blocks * BS, null).assertGood().data();
    }

    private static byte[][] both() {
        return new byte[][]{cscd("lu0", BS), cscd("lu1", BS)};
    }

    @Test
    void parsesAListWrittenFromTheSpecification() {
        byte[] p = {
                // header: LIST IDENTIFIER 5Ah, LIST ID USAGE 10b, PRIORITY 1, CSCD list 32, segment list 28, no inline
                0x5A, 0x11, 0x00, 0x20, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x1C, 0, 0, 0, 0,
                // E4h: LU ID TYPE 01b (ignored), PDT 0; designation descriptor binary / LU / NAA, 8 bytes
                (byte) 0xE4, 0x40, 0x00, 0x01, 0x01, 0x03, 0x00, 0x08,
                0x60, 0x01, 0x40, 0x50, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0x00, 0x00, 0x02, 0x00,                  // DISK BLOCK LENGTH 512
                // 02h: DC 1, length 18h, source 0, destination 0, 300 blocks, 0x0102030405 -> 0x10
                0x02, 0x02, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2C,
                0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x10};
        ExtendedCopyParameters x = ExtendedCopyParameters.parse(p);
        assertEquals(0x5A, x.listId());
        assertEquals(ExtendedCopyParameters.LIST_ID_NOT_HELD, x.listIdUsage());
        assertEquals(1, x.cscds().size());
        ExtendedCopyParameters.Cscd d = x.cscds().get(0);
        assertEquals(16, d.offset());
        assertEquals(1, d.codeSet());
        assertEquals(0x03, d.associationAndType());
        assertArrayEquals(new byte[]{0x60, 0x01, 0x40, 0x50, 0x11, 0x22, 0x33, 0x44}, d.designator());
        assertEquals(512, d.blockLength());
        assertEquals(java.util.List.of(new ExtendedCopyParameters.Segment(48, 0, 0, 300, 0x0102030405L, 0x10)),
                x.segments());
    }

    @Test
    void aDesignatorMatchesOnlyItsOwnUnit() {
        UnitIdentity id = UnitIdentity.derive("lu0", "RAM DISK");
        var naa = new ExtendedCopyParameters.Cscd(16, 1, 3, eight(id.naa()), BS);
        assertTrue(ExtendedCopyCommand.designates(naa, id));
        assertTrue(ExtendedCopyCommand.designates(new ExtendedCopyParameters.Cscd(16, 1, 2, eight(id.eui64()), BS),
                id), "EUI-64");
        assertTrue(ExtendedCopyCommand.designates(new ExtendedCopyParameters.Cscd(16, 1, 2, id.nguid(), BS), id),
                "EUI-64 based 16-byte");
        org.junit.jupiter.api.Assertions.assertFalse(ExtendedCopyCommand.designates(naa,
                UnitIdentity.derive("lu1", "RAM DISK")));
        org.junit.jupiter.api.Assertions.assertFalse(ExtendedCopyCommand.designates(
                new ExtendedCopyParameters.Cscd(16, 2, 3, eight(id.naa()), BS), id), "another code set");
        org.junit.jupiter.api.Assertions.assertFalse(ExtendedCopyCommand.designates(
                new ExtendedCopyParameters.Cscd(16, 1, 0x13, eight(id.naa()), BS), id), "a target port association");
    }

    private static byte[] eight(long v) {
        byte[] b = new byte[8];
        Cdb.put64(b, 0, v);
        return b;
    }

    // ---- copies ----

    @Test
    void copiesWithinALunAndBetweenLuns() {
        byte[] a = TargetHarness.pattern(3000 * BS, 1);
        write(0, 0, a);
        xcopy(list(1, ExtendedCopyParameters.LIST_ID_NONE, both(),
                segment(0, 1, 3000, 0, 1000), segment(0, 0, 100, 0, 3500))).assertGood();
        assertArrayEquals(a, read(1, 1000, 3000), "LUN 0 to LUN 1, in chunks");
        assertArrayEquals(Arrays.copyOf(a, 100 * BS), read(0, 3500, 100), "within LUN 0");
    }

    @Test
    void overlappingSegmentsCopyAsIfTheSourceWasReadFirst() {
        byte[] a = TargetHarness.pattern(3000 * BS, 2);
        write(0, 0, a);
        xcopy(list(1, 3, new byte[][]{cscd("lu0", BS)}, segment(0, 0, 3000, 0, 1000))).assertGood();
        assertArrayEquals(a, read(0, 1000, 3000));
    }

    @Test
    void aZeroLengthParameterListAndAnEmptyListCopyNothing() {
        h.run(TargetHarness.A, 0, xcopyCdb(0), 0, null).assertGood();
        xcopy(header(0, 3, 0, 0, 0)).assertGood();
        xcopy(list(0, 3, both(), segment(0, 1, 0, 0, 0))).assertGood();
    }

    // ---- refusals of the parameter list ----

    @Test
    void listsLongerThanAdvertisedAreRefusedBeforeTheyAreRead() {
        // a CDB announcing 1 GiB: PARAMETER LIST LENGTH ERROR without any Data-Out looked at
        h.run(TargetHarness.A, 0, xcopyCdb(1L << 30), 16, header(0, 3, 0, 0, 0))
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
        byte[][] nine = new byte[9][];
        Arrays.fill(nine, cscd("lu0", BS));
        byte[] p = list(0, 3, nine, segment(0, 0, 1, 0, 1));
        xcopy(p).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x06); // TOO MANY TARGET DESCRIPTORS
        byte[][] segments = new byte[17][];
        Arrays.fill(segments, segment(0, 0, 1, 0, 1));
        xcopy(list(0, 3, new byte[][]{cscd("lu0", BS)}, segments))
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x08); // TOO MANY SEGMENT DESCRIPTORS
        byte[] longLists = header(0, 3, 512, 600, 0); // 1112 bytes of descriptors > 1024
        xcopy(Arrays.copyOf(longLists, 16 + 1112 - 100)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
    }

    @Test
    void truncatedAndLyingListsAreRefused() {
        byte[] p = list(0, 3, both(), segment(0, 1, 8, 0, 0));
        xcopy(Arrays.copyOf(p, 15)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
        xcopy(Arrays.copyOf(p, 16 + 63)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);
        xcopy(Arrays.copyOf(p, p.length - 1)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x1A, 0x00);

        byte[] lying = p.clone();
        Cdb.put16(lying, 16 + 64 + 2, 0xFFFF); // the segment's DESCRIPTOR LENGTH runs past the list
        Response r = xcopy(lying).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        assertFieldPointer(r, 16 + 64 + 2);

        byte[] shortDescriptor = p.clone();
        Cdb.put16(shortDescriptor, 16 + 64 + 2, 0x14);
        Cdb.put32(shortDescriptor, 8, 24);
        r = xcopy(Arrays.copyOf(shortDescriptor, 16 + 64 + 24)).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        assertFieldPointer(r, 16 + 64 + 2);

        byte[] oddCscdList = p.clone();
        Cdb.put16(oddCscdList, 2, 48);
        Cdb.put32(oddCscdList, 8, p.length - 16 - 48);
        assertFieldPointer(xcopy(oddCscdList).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00), 2);

        byte[] inline = p.clone();
        Cdb.put32(inline, 8, 0);
        Cdb.put32(inline, 12, 28);
        assertFieldPointer(xcopy(inline).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00), 12);

        byte[] reserved = p.clone();
        reserved[1] |= (byte) 0x80;
        assertFieldPointer(xcopy(reserved).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00), 1);
        byte[] usage01 = p.clone();
        usage01[1] = 0x08;
        assertFieldPointer(xcopy(usage01).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00), 1);
    }

    @Test
    void unsupportedDescriptorTypesPointAtTheirTypeCode() {
        byte[] p = list(0, 3, both(), segment(0, 1, 8, 0, 0));
        p[16 + 32] = (byte) 0xE0; // Fibre Channel N_Port_Name CSCD descriptor
        assertFieldPointer(xcopy(p).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x07), 16 + 32);
        p = list(0, 3, both(), segment(0, 1, 8, 0, 0));
        p[16 + 64] = 0x03; // stream to stream
        assertFieldPointer(xcopy(p).assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x09), 16 + 64);
    }

    @Test
    void copyTargetsThatCannotBeReachedAbortTheCopy() {
        byte[] unknown = cscd("nowhere", BS);
        xcopy(list(0, 3, new byte[][]{cscd("lu0", BS), unknown}, segment(0, 1, 8, 0, 0)))
                .assertCheck(SenseData.COPY_ABORTED, 0x0D, 0x02);
        xcopy(list(0, 3, new byte[][]{cscd("lu0", BS)}, segment(0, 1, 8, 0, 0)))
                .assertCheck(SenseData.COPY_ABORTED, 0x0D, 0x02); // DESTINATION CSCD DESCRIPTOR ID 1 of 1
        Response r = xcopy(list(0, 3, new byte[][]{cscd("lu0", 4096)}, segment(0, 0, 8, 0, 8)))
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        assertFieldPointer(r, 16 + 29);
        r = xcopy(list(0, 3, new byte[][]{cscd("lu0", BS), cscd("4k", 4096)}, segment(0, 1, 8, 0, 8)))
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x26, 0x00);
        assertFieldPointer(r, 16 + 64 + 6); // block sizes differ: the DESTINATION CSCD DESCRIPTOR ID
    }

    @Test
    void aSegmentBeyondCapacityAbortsWithItsNumberAndTheTargetsSense() {
        byte[] before = read(1, BLOCKS - 8, 8);
        Response r = xcopy(list(7, ExtendedCopyParameters.LIST_ID_HELD, both(), segment(0, 1, 8, 0, 0),
                segment(0, 1, 16, 0, BLOCKS - 8))).assertCheck(SenseData.COPY_ABORTED, 0x0D, 0x02);
        assertEquals(1, Cdb.u32(r.sense(), 8), "COMMAND-SPECIFIC INFORMATION: segment 1 failed");
        assertEquals(37, r.sense().length);
        assertEquals(29, r.sense()[7], "ADDITIONAL SENSE LENGTH");
        assertEquals(ScsiResponse.CHECK_CONDITION, r.sense()[18], "the copy target's status");
        assertEquals(SenseData.ILLEGAL_REQUEST, r.sense()[19 + 2] & 0x0F);
        assertEquals(0x21, r.sense()[19 + 12] & 0xFF, "LOGICAL BLOCK ADDRESS OUT OF RANGE");
        assertArrayEquals(before, read(1, BLOCKS - 8, 8), "nothing of the failed segment written");

        byte[] status = receive(ReceiveCopyResults.COPY_STATUS, 7).assertGood().data();
        assertArrayEquals(new byte[]{0, 0, 0, 8, 2, 0, 1, 0, 0, 0, 0x10, 0}, status,
                "completed with errors, one segment processed, 4096 bytes");
        byte[] details = receive(ReceiveCopyResults.FAILED_SEGMENT_DETAILS, 7).assertGood().data();
        assertEquals(64 + 37, details.length);
        assertEquals(60 + 37, Cdb.u32(details, 0));
        assertEquals(ScsiResponse.CHECK_CONDITION, details[60]);
        assertEquals(37, Cdb.u16(details, 62));
        assertArrayEquals(r.sense(), Arrays.copyOfRange(details, 64, details.length));
        receive(ReceiveCopyResults.FAILED_SEGMENT_DETAILS, 7).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void copyTargetsAreCheckedForReservationsAndWriteProtect() {
        h.run(TargetHarness.B, 1, TargetHarness.cdb(0x16), 0, null).assertGood(); // RESERVE(6) of LUN 1 by B
        assertEquals(ScsiResponse.RESERVATION_CONFLICT,
                xcopy(list(0, 3, both(), segment(0, 1, 8, 0, 0))).status(), "destination reserved by another");
        assertEquals(ScsiResponse.RESERVATION_CONFLICT,
                xcopy(list(0, 3, both(), segment(1, 0, 8, 0, 0))).status(), "source reserved by another");
        xcopy(list(0, 3, new byte[][]{cscd("lu0", BS), cscd("ro", BS)}, segment(0, 1, 8, 0, 0)))
                .assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
        xcopy(list(0, 3, new byte[][]{cscd("ro", BS), cscd("lu0", BS)}, segment(0, 1, 8, 0, 0))).assertGood();
    }

    @Test
    void anAbortedTaskStopsTheCopy() {
        byte[] before = read(1, 0, 64);
        write(0, 0, TargetHarness.pattern(64 * BS, 3));
        byte[] p = list(0, 3, both(), segment(0, 1, 64, 0, 0));
        TargetHarness.TestTask t = new TargetHarness.TestTask(Luns.encode(0), xcopyCdb(p.length), p.length,
                io.netty.buffer.Unpooled.wrappedBuffer(p), TargetHarness.A);
        t.aborted = true;
        assertEquals(ScsiResponse.TASK_ABORTED, h.run(t).status());
        assertArrayEquals(before, read(1, 0, 64));
    }

    @Test
    void anAbortWhileTheCopyRunsStopsItBeforeTheNextWrite() {
        byte[] before = read(1, 0, 3000);
        write(0, 0, TargetHarness.pattern(3000 * BS, 4));
        byte[] p = list(0, 3, both(), segment(0, 1, 3000, 0, 0));
        TargetHarness.TestTask t = new TargetHarness.TestTask(Luns.encode(0), xcopyCdb(p.length), p.length,
                io.netty.buffer.Unpooled.wrappedBuffer(p), TargetHarness.A);
        int inFlight = h.queue.inFlight();
        h.target.execute(t, h.queue); // the first chunk's read is under way
        t.aborted = true;             // task management (or the connection's loss) aborts the task
        assertEquals(ScsiResponse.TASK_ABORTED, h.await(t).status());
        assertEquals(inFlight, h.queue.inFlight(), "the copy's request released");
        assertArrayEquals(before, read(1, 0, 3000), "no chunk written after the abort");
        assertEquals(0, h.target.copies().admission.running());
    }

    @Test
    void aListIdentifierStillInUseIsRefusedAndHeldStatusIsReported() {
        receive(ReceiveCopyResults.COPY_STATUS, 1).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
        xcopy(list(1, ExtendedCopyParameters.LIST_ID_HELD, both(), segment(0, 1, 2048, 0, 0))).assertGood();
        byte[] status = receive(ReceiveCopyResults.COPY_STATUS, 1).assertGood().data();
        assertArrayEquals(new byte[]{0, 0, 0, 8, 1, 0, 1, 0, 0, 0x10, 0, 0}, status, "1 MiB in one segment");
        assertArrayEquals(new byte[4], receive(ReceiveCopyResults.FAILED_SEGMENT_DETAILS, 1).assertGood().data());
        xcopy(list(2, ExtendedCopyParameters.LIST_ID_NOT_HELD, both(), segment(0, 1, 8, 0, 0))).assertGood();
        receive(ReceiveCopyResults.COPY_STATUS, 2).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);

        CopyManager m = h.target.copies();
        CopyManager.Copy running = new CopyManager.Copy(true, 1);
        assertTrue(m.begin(TargetHarness.A, 9, running));
        xcopy(list(9, ExtendedCopyParameters.LIST_ID_HELD, both(), segment(0, 1, 8, 0, 0)))
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x00, 0x16); // OPERATION IN PROGRESS
        h.target.nexusLost(TargetHarness.A);
        receive(ReceiveCopyResults.COPY_STATUS, 1).assertCheck(SenseData.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void operatingParametersAndTheThirdPartyCopyPage() {
        byte[] op = receive(ReceiveCopyResults.OPERATING_PARAMETERS, 0).assertGood().data();
        byte[] expected = new byte[46];
        expected[3] = 42;            // AVAILABLE DATA
        expected[4] = 1;             // SNLID
        expected[9] = 8;             // MAXIMUM CSCD DESCRIPTOR COUNT
        expected[11] = 16;           // MAXIMUM SEGMENT DESCRIPTOR COUNT
        expected[14] = 4;            // MAXIMUM DESCRIPTOR LIST LENGTH 1024
        Cdb.put32(expected, 16, 0xFFFFL * BS); // MAXIMUM SEGMENT LENGTH
        expected[35] = 4;            // TOTAL CONCURRENT COPIES
        expected[36] = 4;            // MAXIMUM CONCURRENT COPIES
        expected[43] = 2;
        expected[44] = 0x02;
        expected[45] = (byte) 0xE4;
        assertArrayEquals(expected, op);

        byte[] page = h.run(0x12, 0x01, 0x8F, 0x01, 0x00).assertGood().data();
        assertArrayEquals(new byte[]{
                0x00, (byte) 0x8F, 0x00, 0x38,
                0x00, 0x01, 0x00, 0x0C, 0x08, (byte) 0x83, 0x01, 0x00, (byte) 0x84, 0x03, 0x00, 0x03, 0x04, 0, 0, 0,
                0x00, 0x04, 0x00, 0x1C, 0, 0, 0, 0, 0x00, 0x08, 0x00, 0x10, 0, 0, 0x04, 0x00, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0x00, 0x08, 0x00, 0x04, 0x02, 0x02, (byte) 0xE4, 0x00}, page);
        byte[] supported = h.run(0x12, 0x01, 0x00, 0x01, 0x00).assertGood().data();
        assertTrue(new String(supported, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf((char) 0x8F) > 0);
        byte[] standard = h.run(0x12, 0x00, 0x00, 0x00, 0x60).assertGood().data();
        assertEquals(0x08, standard[5] & 0x08, "3PC");
    }

    private static void assertFieldPointer(Response r, int byteNumber) {
        byte[] s = r.sense();
        assertEquals(0x80, s[15] & 0xC0, "SKSV set, C/D clear: the pointer is into the parameter list");
        assertEquals(byteNumber, Cdb.u16(s, 16), "FIELD POINTER");
    }
}
