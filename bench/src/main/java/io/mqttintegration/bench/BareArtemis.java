package io.mqttintegration.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTProtocolManagerFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.impl.ActiveMQServerImpl;

/**
 * The raw limit beside the hosted broker: the same Artemis 2.40 with the same journal (persistent,
 * NIO, synced), the same thread pool and one MQTT acceptor, but no security, no interceptor, no service. Run as a process of
 * its own by {@link AssemblyHostedBench}; prints "listening" and runs until its standard input closes.
 * <p>
 * With {@code stock}, a customer's broker as Artemis ships it instead (for {@link AssemblyCatchupBench}): persistence on and
 * Artemis' own defaults for the journal type (ASYNCIO, NIO where libaio is missing), the thread pool (30) and JMX;
 * only security is off (anonymous clients, as {@code artemis create --allow-anonymous} lets them in).
 *
 * <pre>java -cp ... io.mqttintegration.bench.BareArtemis &lt;port&gt; &lt;journal folder&gt; [stock]</pre>
 */
public final class BareArtemis {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        boolean stock = args.length > 2 && args[2].equals("stock");
        Configuration c = new ConfigurationImpl();
        c.setName("bare-artemis");
        c.setPersistenceEnabled(true);
        c.setJournalDirectory(dir.resolve("journal").toString());
        c.setBindingsDirectory(dir.resolve("bindings").toString());
        c.setPagingDirectory(dir.resolve("paging").toString());
        c.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        c.setNodeManagerLockDirectory(dir.toString());
        c.setSecurityEnabled(false);
        if (!stock) {
            c.setJournalType(JournalType.NIO);
            c.setJMXManagementEnabled(false);
            // As the hosted broker: unbounded (with Artemis' default of 30, a burst of clean-start CONNECTs
            // deadlocks on storing the MQTT session state: AMQ850000, DISCONNECT 131).
            c.setThreadPoolMaxSize(-1);
        }
        Map<String, Object> plain = new HashMap<>();
        plain.put(TransportConstants.HOST_PROP_NAME, "127.0.0.1");
        plain.put(TransportConstants.PORT_PROP_NAME, port);
        plain.put(TransportConstants.PROTOCOLS_PROP_NAME, "MQTT");
        plain.put(TransportConstants.USE_EPOLL_PROP_NAME, false);
        plain.put(TransportConstants.USE_KQUEUE_PROP_NAME, false);
        c.addAcceptorConfiguration(new TransportConfiguration(NettyAcceptorFactory.class.getName(), plain, "mqtt"));
        ActiveMQServerImpl server = new ActiveMQServerImpl(c);
        server.addProtocolManagerFactory(new MQTTProtocolManagerFactory());
        server.start();
        System.out.println("listening");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the benchmark closes our standard input (or ends)
        }
        server.stop();
        System.exit(0);
    }

    /**
     * Starts it as a process of its own (this classpath, the given -Xmx) and returns once it listens; its
     * output goes to artemis.out beside {@code dir} from then on. Closing the process' standard input stops it.
     */
    static Process start(int port, Path dir, boolean stock, String maxHeap) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + maxHeap,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true", "-cp", System.getProperty("java.class.path"),
                BareArtemis.class.getName(), Integer.toString(port), dir.toString(), stock ? "stock" : "tuned").redirectErrorStream(true)
                .start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String l = r.readLine(); ; l = r.readLine()) {
            if (l == null) {
                throw new IOException("the bare Artemis ended before it listened");
            }
            if (l.equals("listening")) {
                break;
            }
        }
        // Its log (warnings: a client disconnected for an error, with the reason) goes to artemis.out beside its
        // data folder, kept with the rest of a benchmark's work folder under -Dbench.keep=true.
        Path log = dir.resolveSibling("artemis.out");
        Thread drain = new Thread(() -> {
            try (var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    out.write(l);
                    out.newLine();
                    out.flush();
                }
            } catch (IOException e) {
                // ended
            }
        }, "bare-artemis-output");
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
