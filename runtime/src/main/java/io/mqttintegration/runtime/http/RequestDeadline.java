package io.mqttintegration.runtime.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.x connection whose request does not arrive completely (request line, headers and
 * body) within the timeout: the idle timeout alone lets a client trickle one byte at a time forever.
 * The clock runs while the server waits for a request or reads one; it stops once a request is read
 * whole (the service then takes what time it needs to answer) and starts again with the answer's end.
 * Sits in the Netty pipeline just before Vert.x's handler, where requests and answers are HTTP objects.
 */
final class RequestDeadline extends ChannelDuplexHandler {

    static final String NAME = "mqi-request-deadline";

    private final long timeoutMillis;
    private long requestsRead;
    private long answersWritten;
    private ScheduledFuture<?> timer;

    RequestDeadline(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        arm(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof LastHttpContent) {
            requestsRead++;
            update(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent) {
            answersWritten++;
            update(ctx);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    /** Waiting for (or reading) a request: the clock runs; a request read and not yet answered: it does not. */
    private void update(ChannelHandlerContext ctx) {
        if (requestsRead > answersWritten) {
            disarm();
        } else {
            arm(ctx);
        }
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timer = ctx.executor().schedule(() -> {
            ctx.close();
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
