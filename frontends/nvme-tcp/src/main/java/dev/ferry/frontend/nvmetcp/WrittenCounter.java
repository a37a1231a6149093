package dev.ferry.frontend.nvmetcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.function.Consumer;

/**
 * One promise for every response of a connection: the socket's write of each response's last buffer runs {@code
 * written} (or {@code failed}), and the promise never becomes done, so it serves the next write too. It tells the
 * queue handler when a command's response has left, as a listener on a new promise per response did, without the
 * promise and listener objects per command. Event loop only; listeners are not supported.
 */
final class WrittenCounter extends DefaultChannelPromise {
    private final Runnable written;
    private final Consumer<Throwable> failed;

    WrittenCounter(Channel channel, Runnable written, Consumer<Throwable> failed) {
        super(channel);
        this.written = written;
        this.failed = failed;
    }

    @Override
    public boolean trySuccess(Void result) {
        written.run();
        return true;
    }

    @Override
    public ChannelPromise setSuccess(Void result) {
        trySuccess(result);
        return this;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        written.run();
        failed.accept(cause);
        return true;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        tryFailure(cause);
        return this;
    }

    /** Never done, so that the pipeline accepts it for every write. */
    @Override
    public boolean isDone() {
        return false;
    }

    @Override
    public boolean isSuccess() {
        return false;
    }

    @Override
    public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> listener) {
        throw new UnsupportedOperationException("a reused promise notifies its callbacks only");
    }
}
