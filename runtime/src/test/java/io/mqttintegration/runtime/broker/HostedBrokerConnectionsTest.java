package io.mqttintegration.runtime.broker;

import io.mqttintegration.broker.HostedBrokerService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.broker.BrokerConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "1,000 devices connect", in the test JVM with the real service, PostgreSQL and the
 * hosted broker (the database pooled as in Karaf): 1,000 credentials generated through the API (two organizations of 500), 1,000 MQTT 5
 * connections opened at once and held open together, each answered CONNACK 0. The clients are Netty
 * channels with Netty's MQTT codec on two event-loop threads (a Paho client costs ~4 threads and a few
 * hundred ms per connect here). The time it took is printed, not asserted.
 */
class HostedBrokerConnectionsTest {

    static final int DEVICES = 1_000;

    @TempDir
    Path work;
    DataSource db;
    RuntimeHarness service;
    HostedBrokerService hosted;
    BrokerConfig config;
    EventLoopGroup loop;
    final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        // Pooled as in Karaf (etc/org.ops4j.datasource-mqi.cfg: 8 connections, 2 s to get one): every
        // CONNECT is one query, and 1,000 of them on a plain DataSource would open 1,000 PostgreSQL
        // connections ("too many clients already").
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(TestDatabase.newDatabase());
        pool.setMaximumPoolSize(8);
        pool.setConnectionTimeout(2_000);
        db = new HikariDataSource(pool);
        service = RuntimeHarness.start(db, work, Map.of());
        config = new BrokerConfig(true, "127.0.0.1", RuntimeHarness.freePort(), RuntimeHarness.freePort(), null, null,
                work.resolve("broker"), 500, 2, 1);
        hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
        loop = new NioEventLoopGroup(2);
    }

    @AfterEach
    void stop() throws Exception {
        for (Channel c : channels) {
            c.close();
        }
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        if (hosted != null) {
            hosted.close();
        }
        if (service != null) {
            service.close();
        }
        ((HikariDataSource) db).close();
    }

    @Test
    void aThousandDevicesConnectAtOnceAndStayConnected() throws Exception {
        java.lang.management.ManagementFactory.getThreadMXBean().resetPeakThreadCount();
        long t0 = System.nanoTime();
        List<String[]> logins = new ArrayList<>();
        ExecutorService makers = Executors.newFixedThreadPool(4);
        try {
            for (String name : List.of("north", "south")) {
                RuntimeHarness.Tenant tenant = service.createOrganization(name);
                String integrationId = Json.strict().readTree(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                        "{\"name\":\"fleet\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}").body()).path("id").asText();
                List<Future<String[]>> made = new ArrayList<>();
                for (int i = 0; i < DEVICES / 2; i++) {
                    made.add(makers.submit(() -> {
                        HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + integrationId + "/credentials",
                                tenant.adminKey(), null);
                        assertEquals(201, created.statusCode(), created.body());
                        JsonNode c = Json.strict().readTree(created.body());
                        return new String[] {c.path("username").asText(), c.path("password").asText()};
                    }));
                }
                for (Future<String[]> f : made) {
                    logins.add(f.get());
                }
            }
        } finally {
            makers.shutdown();
        }
        long credentialsMade = System.nanoTime();

        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        List<CompletableFuture<Integer>> connacks = new ArrayList<>();
        long connectStart = System.nanoTime();
        for (String[] login : logins) {
            CompletableFuture<Integer> connack = new CompletableFuture<>();
            connacks.add(connack);
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(MqttEncoder.INSTANCE, new MqttDecoder(), new SimpleChannelInboundHandler<MqttMessage>() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            channels.add(ctx.channel());
                            ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId(login[0])
                                    .username(login[0]).password(login[1].getBytes(StandardCharsets.UTF_8)).cleanSession(true)
                                    .keepAlive(120).build());
                        }

                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
                            if (msg instanceof MqttConnAckMessage ack) {
                                connack.complete((int) ack.variableHeader().connectReturnCode().byteValue());
                            }
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            connack.completeExceptionally(new IllegalStateException("connection closed before CONNACK"));
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            connack.completeExceptionally(cause);
                            ctx.close();
                        }
                    });
                }
            }).connect("127.0.0.1", config.port()).addListener(f -> {
                if (!f.isSuccess()) {
                    connack.completeExceptionally(f.cause());
                }
            });
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (CompletableFuture<Integer> connack : connacks) {
            String outcome;
            try {
                outcome = "CONNACK " + connack.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                outcome = e.getCause().toString();
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        long connected = System.nanoTime();
        assertEquals(Map.of("CONNACK 0", DEVICES), outcomes, "every device connected");
        // Held open together: the broker counts them all (besides its 2 in-VM sessions) and none has closed.
        assertEquals(DEVICES, hosted.broker().connectionCount() - 2, "1,000 connections open at once");
        assertTrue(channels.stream().allMatch(Channel::isActive), "all still open");
        System.out.printf("hosted connections: %d credentials made in %d ms; %d devices connected at once (CONNACK 0) in %d ms "
                + "(%.0f connects/s); peak threads of the test JVM %d, open file descriptors %s%n", DEVICES,
                (credentialsMade - t0) / 1_000_000, DEVICES, (connected - connectStart) / 1_000_000,
                DEVICES * 1e9 / (connected - connectStart), java.lang.management.ManagementFactory.getThreadMXBean().getPeakThreadCount(),
                openFiles());
    }

    /** The test JVM's open file descriptors (both ends of every connection are in it). */
    private static String openFiles() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? "unknown" : Integer.toString(fds.length);
    }
}
