package io.mqttintegration.devdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a loopback port a test controls, to cut the network between the service and a
 * broker: {@link #cut()} drops every connection and refuses new ones until {@link #restore()}.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private volatile boolean closed;
    private volatile boolean losing;
    private volatile MqttTrace trace;
    private int connections;

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Drops every connection; new ones are closed at once until restored. */
    public void cut() {
        cut = true;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    public void restore() {
        cut = false;
        losing = false;
    }

    /**
     * From now on, what the clients send is read and not forwarded, as if lost on the way, until
     * {@link #cut} and {@link #restore}: the broker never sees a PUBACK the client sent.
     */
    public void loseWhatClientsSend() {
        losing = true;
    }

    /**
     * From now on, writes a line per MQTT 5 packet read from either side (just before it is
     * forwarded) to the file, with its time and connection ({@link MqttTrace}); closed with the proxy.
     */
    public void trace(Path file) throws IOException {
        trace = new MqttTrace(file);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                } catch (IOException e) {
                    closeQuietly(client); // the target is down: refuse like it would
                    continue;
                }
                open.add(client);
                open.add(upstream);
                int connection = ++connections;
                MqttTrace t = trace;
                if (t != null) {
                    t.event(connection, "open");
                }
                pump(client, upstream, true, t == null ? null : t.stream(connection, "c>b"));
                pump(upstream, client, false, t == null ? null : t.stream(connection, "b>c"));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient, MqttTrace.Stream traced) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            int unsent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (fromClient && losing) {
                        if (traced != null) {
                            traced.lost(buffer, n);
                        }
                        continue;
                    }
                    if (traced != null) {
                        traced.read(buffer, n); // before it is forwarded: a reply cannot be traced ahead of it
                    }
                    unsent = n;
                    out.write(buffer, 0, n);
                    out.flush();
                    unsent = 0;
                }
                if (traced != null) {
                    traced.closed("end of stream");
                }
            } catch (IOException e) {
                // the other side went, or the connection was cut
                if (traced != null) {
                    traced.closed(e + (unsent > 0 ? "; the last " + unsent + " bytes traced were not forwarded" : ""));
                }
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        cut();
        server.close();
        MqttTrace t = trace;
        if (t != null) {
            t.close();
        }
    }
}
