package dev.netcon.receiver;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The receiver's HTTP endpoints: {@code /healthz}, {@code /stats} (JSON), {@code /metrics} (Prometheus text)
 * and {@code /stream} (live records as NDJSON, chunked; filters {@code host} glob, {@code level} and
 * {@code kind}). One thin handler; the documents come from {@link StatsJson} and {@link ReceiverMetrics}.
 */
final class HttpServer implements AutoCloseable {
    private static final long KEEPALIVE_SECONDS = 15;

    private final ReceiverStats stats;
    private final ReceiverMetrics metrics;
    private final StreamHub hub;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netcon-http"), NioIoHandler.newFactory());
    private Channel channel;

    HttpServer(final ReceiverStats stats, final ReceiverMetrics metrics, final StreamHub hub) {
        this.stats = stats;
        this.metrics = metrics;
        this.hub = hub;
    }

    InetSocketAddress start(final InetSocketAddress address) throws IOException {
        try {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 * 1024), new Handler());
                    }
                }).bind(address).sync().channel();
        } catch (final Exception e) {
            throw BindFailure.of(e, "serve http on " + HostPort.format(address), "--http");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2000);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3000);
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) {
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
                return;
            }
            final QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            switch (uri.path()) {
                case "/healthz" -> respond(ctx, request, HttpResponseStatus.OK, "text/plain", "ok\n");
                case "/stats" -> respond(ctx, request, HttpResponseStatus.OK, "application/json", StatsJson.render(stats) + "\n");
                case "/metrics" -> respond(ctx, request, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.scrape());
                case "/stream" -> stream(ctx, uri);
                default -> respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain",
                    "not found; try /healthz, /stats, /metrics, /stream\n");
            }
        }

        private void stream(final ChannelHandlerContext ctx, final QueryStringDecoder uri) {
            final String host = first(uri, "host");
            final String level = first(uri, "level");
            final String kind = first(uri, "kind");
            final int maxLevel;
            try {
                maxLevel = level == null ? 7 : Integer.parseInt(level);
            } catch (final NumberFormatException e) {
                respond(ctx, null, HttpResponseStatus.BAD_REQUEST, "text/plain", "level must be a number 0..7\n");
                return;
            }
            final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
            HttpUtil.setTransferEncodingChunked(head, true);
            ctx.writeAndFlush(head);
            final Channel ch = ctx.channel();
            final StreamHub.Subscriber sub = new StreamHub.Subscriber(host == null ? null : StreamHub.glob(host), maxLevel,
                kind == null ? List.of() : Arrays.asList(kind.split(",")), json -> {
                    if (ch.isWritable()) { // a slow reader loses lines rather than growing memory
                        ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(json + "\n", StandardCharsets.UTF_8)));
                    }
                });
            hub.add(sub);
            final var keepalive = ch.eventLoop().scheduleAtFixedRate(() ->
                ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("\n", StandardCharsets.UTF_8))),
                KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
            ch.closeFuture().addListener(f -> {
                hub.remove(sub);
                keepalive.cancel(false);
            });
        }

        private String first(final QueryStringDecoder uri, final String name) {
            final List<String> v = uri.parameters().get(name);
            return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
        }

        private void respond(final ChannelHandlerContext ctx, final FullHttpRequest request, final HttpResponseStatus status,
                             final String type, final String body) {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            final FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                request != null && request.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            final boolean keepAlive = request != null && HttpUtil.isKeepAlive(request);
            if (keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            ctx.close();
        }
    }
}
