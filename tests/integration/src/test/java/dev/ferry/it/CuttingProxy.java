package dev.ferry.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 between initiators and a target that forwards whole PDUs and, when armed, breaks the
 * connection that carries the n-th next PDU in one direction: reset before it (a cut at a PDU boundary), reset
 * halfway through it, or hold it (and everything after it on that direction) for a while and then reset. Both
 * sockets are reset (SO_LINGER 0), so each side sees its peer vanish as after a cable pull or a crashed host.
 */
final class CuttingProxy implements AutoCloseable {
    enum Direction { TO_TARGET, TO_INITIATOR }

    enum Mode { CUT_AT_BOUNDARY, CUT_INSIDE_PDU, STALL_THEN_CUT }

    private record Fault(Direction direction, AtomicInteger pdusLeft, Mode mode, long stallMillis) {
    }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final PduFraming framing;
    private final AtomicReference<Fault> armed = new AtomicReference<>();
    private final AtomicInteger faults = new AtomicInteger();
    private final AtomicLong pdus = new AtomicLong();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    CuttingProxy(InetSocketAddress target, PduFraming framing) throws IOException {
        this.target = target;
        this.framing = framing;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "proxy-accept-" + framing);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    /** Breaks the connection carrying the {@code n}-th next PDU (from 1) in {@code direction}. */
    void arm(Direction direction, int n, Mode mode, long stallMillis) {
        if (!armed.compareAndSet(null, new Fault(direction, new AtomicInteger(n), mode, stallMillis))) {
            throw new IllegalStateException("a fault is already armed");
        }
    }

    /** True while an armed fault has not struck yet. */
    boolean armed() {
        return armed.get() != null;
    }

    /** Faults that struck so far. */
    int faults() {
        return faults.get();
    }

    /** PDUs forwarded so far, both directions. */
    long pdus() {
        return pdus.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket initiator = listener.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 10_000);
                initiator.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                open.add(initiator);
                open.add(upstream);
                pump(initiator, upstream, Direction.TO_TARGET);
                pump(upstream, initiator, Direction.TO_INITIATOR);
            } catch (IOException e) {
                // the listener closed, or the target refused: the initiator sees its connection fail
            }
        }
    }

    private void pump(Socket from, Socket to, Direction direction) {
        Thread t = new Thread(() -> {
            try {
                DataInputStream in = new DataInputStream(from.getInputStream());
                OutputStream out = to.getOutputStream();
                byte[] header = new byte[framing.headerBytes()];
                while (true) {
                    if (!readHeader(in, header)) {
                        break;
                    }
                    byte[] pdu = new byte[framing.length(header)];
                    System.arraycopy(header, 0, pdu, 0, header.length);
                    in.readFully(pdu, header.length, pdu.length - header.length);
                    Fault f = strikes(direction);
                    if (f != null) {
                        breakConnection(f, from, to, out, pdu);
                        return;
                    }
                    out.write(pdu);
                    out.flush();
                    pdus.incrementAndGet();
                }
                to.shutdownOutput(); // an orderly close passes through as one
            } catch (IOException | InterruptedException e) {
                reset(from, to);
            }
        }, "proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static boolean readHeader(InputStream in, byte[] header) throws IOException {
        int got = 0;
        while (got < header.length) {
            int n = in.read(header, got, header.length - got);
            if (n < 0) {
                if (got == 0) {
                    return false;
                }
                throw new IOException("connection closed inside a PDU header");
            }
            got += n;
        }
        return true;
    }

    private Fault strikes(Direction direction) {
        Fault f = armed.get();
        if (f == null || f.direction != direction || f.pdusLeft.decrementAndGet() != 0
                || !armed.compareAndSet(f, null)) {
            return null;
        }
        return f;
    }

    private void breakConnection(Fault f, Socket from, Socket to, OutputStream out, byte[] pdu)
            throws IOException, InterruptedException {
        switch (f.mode) {
            case CUT_INSIDE_PDU -> {
                out.write(pdu, 0, pdu.length / 2);
                out.flush();
            }
            case STALL_THEN_CUT -> Thread.sleep(f.stallMillis);
            case CUT_AT_BOUNDARY -> {
            }
        }
        reset(from, to);
        faults.incrementAndGet();
    }

    private void reset(Socket a, Socket b) {
        for (Socket s : List.of(a, b)) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException e) {
                // already closed
            }
            open.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
