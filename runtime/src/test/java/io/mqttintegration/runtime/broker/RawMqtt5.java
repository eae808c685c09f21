package io.mqttintegration.runtime.broker;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An MQTT 5 client written byte by byte, for what Paho cannot be made to do: choose the packet id of
 * a PUBLISH (to reuse one), or fall silent after its CONNECT (no PINGREQ within its keep-alive).
 */
final class RawMqtt5 implements AutoCloseable {

    /** A packet as received: its type (the high nibble of the first byte) and the bytes after its length. */
    record Packet(int type, byte[] body) {
        /** CONNACK: after its flags; PUBACK, PUBREC, PUBCOMP: after the packet id (none: 0, success). */
        int reasonCode() {
            if (type == 2) {
                return body[1] & 0xFF;
            }
            return body.length > 2 ? body[2] & 0xFF : 0;
        }
    }

    private final Socket socket;
    private final DataInputStream in;

    RawMqtt5(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
    }

    Packet connect(String clientId, String username, String password, boolean cleanStart) throws IOException {
        return connect(clientId, username, password, cleanStart, 60);
    }

    /** @param keepAliveSeconds the Keep Alive the CONNECT asks for (this client sends no PINGREQ) */
    Packet connect(String clientId, String username, String password, boolean cleanStart, int keepAliveSeconds) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, "MQTT");
        v.write(5);
        v.write(cleanStart ? 0xC2 : 0xC0); // username, password (, clean start)
        v.write(keepAliveSeconds >> 8);
        v.write(keepAliveSeconds & 0xFF);
        if (cleanStart) {
            v.write(0); // no properties
        } else {
            v.write(5); // Session Expiry Interval: an hour, so the session outlives the connection
            v.write(0x11);
            v.writeBytes(new byte[] {0, 0, 0x0E, 0x10});
        }
        string(v, clientId);
        string(v, username);
        string(v, password);
        send(0x10, v.toByteArray());
        return read();
    }

    Packet publishQos2(int packetId, String topic, String payload) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        string(v, topic);
        v.write(packetId >> 8);
        v.write(packetId & 0xFF);
        v.write(0); // no properties
        v.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        send(0x34, v.toByteArray());
        return read();
    }

    /** The next packet the broker sends. */
    Packet next() throws IOException {
        return read();
    }

    Packet pubrel(int packetId) throws IOException {
        send(0x62, new byte[] {(byte) (packetId >> 8), (byte) packetId});
        return read();
    }

    private void send(int first, byte[] body) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(first);
        int n = body.length;
        do {
            int b = n % 128;
            n /= 128;
            p.write(n > 0 ? b | 0x80 : b);
        } while (n > 0);
        p.writeBytes(body);
        socket.getOutputStream().write(p.toByteArray());
        socket.getOutputStream().flush();
    }

    private Packet read() throws IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(first >> 4, body);
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
