package dev.ferry.frontend.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUring;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoTransportTest {

    @Test
    void eachTransportIsChosenWhenAvailableAndFallsBackOtherwise() {
        IoTransport best = Epoll.isAvailable() ? IoTransport.EPOLL : IoTransport.NIO;
        assertEquals(IoUring.isAvailable() ? IoTransport.IO_URING : best, IoTransport.select("io_uring"));
        assertEquals(best, IoTransport.select("epoll"));
        assertEquals(IoTransport.NIO, IoTransport.select("NIO"));
        assertEquals(best, IoTransport.select("kqueue"));
    }

    /** Where the kernel allows io_uring (this one does), the io_uring loops serve a real TCP connection. */
    @Test
    void ioUringServesATcpConnection() throws Exception {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
        echoOver(IoTransport.IO_URING);
    }

    @Test
    void nioServesATcpConnection() throws Exception {
        echoOver(IoTransport.NIO);
    }

    private static void echoOver(IoTransport transport) throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.handlerFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush((ByteBuf) msg, ctx.voidPromise());
                                }
                            });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket s = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] sent = new byte[64 * 1024];
                for (int i = 0; i < sent.length; i++) {
                    sent[i] = (byte) (i * 31);
                }
                out.write(sent);
                assertEquals(java.util.Arrays.toString(sent), java.util.Arrays.toString(in.readNBytes(sent.length)));
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
