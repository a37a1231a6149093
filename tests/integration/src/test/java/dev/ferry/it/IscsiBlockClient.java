package dev.ferry.it;

import java.io.IOException;
import java.net.InetSocketAddress;

/** {@link BlockClient} over {@link IscsiInitiator}: WRITE (16) with FUA, SYNCHRONIZE CACHE (10), READ (16). */
final class IscsiBlockClient implements BlockClient {
    private final IscsiInitiator session;
    private final long lun;

    IscsiBlockClient(InetSocketAddress portal, String target, long lun) throws IOException {
        this.session = new IscsiInitiator(portal, target);
        this.lun = lun;
    }

    @Override
    public void write(long lba, byte[] data, boolean fua) throws IOException {
        good(session.command(lun, Cdb.write16(lba, data.length / BLOCK, fua), data.length, data), "WRITE", lba);
    }

    @Override
    public void flush() throws IOException {
        good(session.command(lun, Cdb.synchronizeCache(), 0, null), "SYNCHRONIZE CACHE", 0);
    }

    @Override
    public byte[] read(long lba, int blocks) throws IOException {
        return good(session.command(lun, Cdb.read16(lba, blocks), blocks * BLOCK, null), "READ", lba).data();
    }

    private static IscsiInitiator.Result good(IscsiInitiator.Result r, String what, long lba) {
        if (r.status() != IscsiInitiator.Result.GOOD) {
            throw new AssertionError(String.format("%s at LBA %d: status 0x%02x%s", what, lba, r.status(),
                    r.sense() == null ? "" : String.format(" sense %x/%02x/%02x", r.senseKey(), r.asc(), r.ascq())));
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        session.close();
    }

    @Override
    public String toString() {
        return "iSCSI LUN " + lun;
    }
}
