package io.mqttintegration.bench;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking MQTT 5 client over a plain socket, for the hosted-broker benchmark: CONNECT with a
 * username and password, QoS 1 PUBLISH (pipelined: writes and reads may be on two threads), SUBSCRIBE
 * and reading PUBLISH/PUBACK packets. It has no library under it, so a thousand connections cost a
 * thousand sockets and nothing else (Paho's client takes threads and 300 ms per CONNECT here), and the
 * load driver measures the broker, not itself.
 */
final class MqttWire implements AutoCloseable {

    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int SUBACK = 9;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** One packet read: its type, flags and body (everything after the remaining length). */
    record Packet(int type, int flags, byte[] body) {
        int packetId() {
            return ((body[0] & 0xff) << 8) | (body[1] & 0xff);
        }

        /** A PUBACK's reason code (0 when the packet has only the packet id). */
        int pubackReason() {
            return body.length > 2 ? body[2] & 0xff : 0;
        }
    }

    private MqttWire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65_536));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 65_536);
    }

    /**
     * Opens a connection and sends CONNECT (MQTT 5, no keep-alive); returns the client once CONNACK
     * arrived, or throws with its reason code. cleanStart false keeps the session (expiry one hour).
     */
    static MqttWire connect(String host, int port, String clientId, String user, String password, boolean cleanStart)
            throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(60_000);
        MqttWire c = new MqttWire(s);
        try {
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            string(v, "MQTT");
            v.write(5);
            v.write((user != null ? 0x80 : 0) | (password != null ? 0x40 : 0) | (cleanStart ? 0x02 : 0));
            v.write(0);
            v.write(0); // keep-alive 0: none
            if (cleanStart) {
                v.write(0);
            } else {
                v.write(5); // properties: Session Expiry Interval = 3600 s
                v.write(0x11);
                v.write(new byte[] {0, 0, 0x0e, 0x10});
            }
            string(v, clientId);
            if (user != null) {
                string(v, user);
            }
            if (password != null) {
                string(v, password);
            }
            c.send(0x10, v.toByteArray());
            c.out.flush();
            Packet ack = c.read();
            if (ack.type() != CONNACK) {
                throw new IOException("expected CONNACK, got packet type " + ack.type()
                        + (ack.body().length > 0 ? " with reason code " + (ack.body()[0] & 0xff) : ""));
            }
            int reason = ack.body()[1] & 0xff;
            if (reason != 0) {
                throw new IOException("CONNACK reason code " + reason);
            }
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Writes a QoS 1 PUBLISH (not flushed: call {@link #flush}). */
    void publishQos1(String topic, int packetId, byte[] payload) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream(topic.length() + payload.length + 8);
        string(v, topic);
        v.write(packetId >> 8);
        v.write(packetId & 0xff);
        v.write(0); // no properties
        v.write(payload);
        send(0x32, v.toByteArray());
    }

    /** Whether bytes already received wait to be read (so a flush can wait for the next packet). */
    boolean pending() throws IOException {
        return in.available() > 0;
    }

    void flush() throws IOException {
        out.flush();
    }

    /** SUBSCRIBE to one filter with QoS 1; returns the SUBACK's reason code. */
    int subscribeQos1(String filter) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(0);
        v.write(1);
        v.write(0);
        string(v, filter);
        v.write(1);
        send(0x82, v.toByteArray());
        out.flush();
        Packet p = read();
        while (p.type() != SUBACK) {
            p = read();
        }
        return p.body()[3] & 0xff;
    }

    /** Acknowledges a received QoS 1 PUBLISH (not flushed). */
    void puback(int packetId) throws IOException {
        send(0x40, new byte[] {(byte) (packetId >> 8), (byte) packetId});
    }

    /** The packet id of a received QoS 1 PUBLISH (after the topic name). */
    static int receivedPacketId(Packet p) {
        int topicLength = ((p.body()[0] & 0xff) << 8) | (p.body()[1] & 0xff);
        return ((p.body()[2 + topicLength] & 0xff) << 8) | (p.body()[3 + topicLength] & 0xff);
    }

    Packet read() throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("connection closed by the broker");
        }
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            length |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(first >> 4, first & 0x0f, body);
    }

    private void send(int header, byte[] body) throws IOException {
        out.write(header);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.write(body);
    }

    private static void string(ByteArrayOutputStream v, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        v.write(bytes.length >> 8);
        v.write(bytes.length & 0xff);
        v.writeBytes(bytes);
    }

    @Override
    public void close() {
        try {
            out.write(0xe0);
            out.write(0);
            out.flush();
        } catch (IOException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
