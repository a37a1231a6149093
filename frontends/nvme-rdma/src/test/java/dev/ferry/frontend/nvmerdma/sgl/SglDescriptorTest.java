package dev.ferry.frontend.nvmerdma.sgl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** SGL1 descriptors of RDMA capsules against byte vectors, and the status each misuse earns. */
class SglDescriptorTest {
    private static ByteBuf sqeWithSgl(String sgl16) {
        ByteBuf sqe = Unpooled.buffer(Sqe.SIZE).writeZero(Sqe.SIZE);
        sqe.setBytes(Sqe.SGL_ADDRESS, HexFormat.of().parseHex(sgl16.replace(" ", "")));
        return sqe;
    }

    /** Address 0x0000_7f12_3456_7000, length 0x01_0000 (64 KiB), key 0xdeadbeef, identifier 4Fh. */
    private static final String KEYED_INVALIDATE = "0070563412 7f0000 000001 efbeadde 4f";

    @Test
    void keyedDescriptorFields() {
        ByteBuf sqe = sqeWithSgl(KEYED_INVALIDATE);
        KeyedSglDescriptor d = KeyedSglDescriptor.parse(sqe, Sqe.SGL_ADDRESS);
        assertEquals(new KeyedSglDescriptor(0x7f1234567000L, 0x10000, 0xdeadbeef, true), d);

        ByteBuf written = Unpooled.buffer(Sqe.SIZE).writeZero(Sqe.SIZE);
        d.write(written, Sqe.SGL_ADDRESS);
        assertEquals(sqe, written);
        assertEquals(false, KeyedSglDescriptor.parse(sqeWithSgl("00".repeat(15) + "40"), Sqe.SGL_ADDRESS).invalidate());
    }

    @Test
    void keyedLengthIsTwentyFourBits() {
        KeyedSglDescriptor d = KeyedSglDescriptor.parse(sqeWithSgl("00".repeat(8) + "ffffff" + "ffffffff" + "40"),
                Sqe.SGL_ADDRESS);
        assertEquals(0xFFFFFF, d.length());
        assertEquals(-1, d.key());
    }

    @Test
    void inCapsuleDescriptorFields() {
        ByteBuf sqe = sqeWithSgl("1000000000000000 00040000 000000 01");
        assertEquals(new InCapsuleSglDescriptor(16, 1024), InCapsuleSglDescriptor.parse(sqe, Sqe.SGL_ADDRESS));
        ByteBuf written = Unpooled.buffer(Sqe.SIZE).writeZero(Sqe.SIZE);
        new InCapsuleSglDescriptor(16, 1024).write(written, Sqe.SGL_ADDRESS);
        assertEquals(sqe, written);
    }

    @Test
    void keyedDataMustCoverTheHostData() {
        ByteBuf sqe = sqeWithSgl(KEYED_INVALIDATE);
        assertEquals(new DataSgl.Keyed(KeyedSglDescriptor.parse(sqe, Sqe.SGL_ADDRESS)), SglCheck.check(sqe, 0x10000, 0));
        assertEquals(new DataSgl.Invalid(Status.DATA_SGL_LENGTH_INVALID), SglCheck.check(sqe, 0x10001, 0));
    }

    @Test
    void inCapsuleDataMustLieInTheCapsule() {
        ByteBuf at16 = sqeWithSgl("1000000000000000 00040000 000000 01");
        assertEquals(new DataSgl.InCapsule(16), SglCheck.check(at16, 1024, 1040));
        assertEquals(new DataSgl.Invalid(Status.SGL_OFFSET_INVALID), SglCheck.check(at16, 1024, 8));
        assertEquals(new DataSgl.Invalid(Status.DATA_SGL_LENGTH_INVALID), SglCheck.check(at16, 1024, 1039));
        assertEquals(new DataSgl.Invalid(Status.DATA_SGL_LENGTH_INVALID), SglCheck.check(at16, 2048, 4096));
    }

    @Test
    void controllerToHostDataCannotGoInCapsule() {
        assertEquals(new DataSgl.Invalid(Status.SGL_DESCRIPTOR_TYPE_INVALID),
                SglCheck.check(sqeWithSgl("0000000000000000 00100000 000000 01"), 0, 0));
        assertEquals(new DataSgl.InCapsule(0), SglCheck.check(sqeWithSgl("00".repeat(15) + "01"), 0, 0));
    }

    @Test
    void unsupportedTypesAndSubtypes() {
        for (String id : new String[] {"00", "02", "20", "30", "41", "4a", "50", "5a"}) {
            assertEquals(new DataSgl.Invalid(Status.SGL_DESCRIPTOR_TYPE_INVALID),
                    SglCheck.check(sqeWithSgl("00".repeat(15) + id), 0, 0), id);
        }
    }
}
