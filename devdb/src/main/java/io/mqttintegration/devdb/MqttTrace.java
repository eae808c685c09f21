package io.mqttintegration.devdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * For tests: a line per MQTT 5 packet that passes a {@link TcpProxy}, with the time in milliseconds,
 * the proxied connection's number and direction ({@code c>b} client to broker, {@code b>c} back):
 * a PUBLISH with its DUP flag, QoS, packet id and payload, a PUBACK with its packet id, the Session
 * Present flag of a CONNACK. It shows what went over the wire, whatever either end's log says.
 */
final class MqttTrace implements AutoCloseable {

    private final PrintWriter out;

    MqttTrace(Path file) throws IOException {
        this.out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
    }

    synchronized void event(int connection, String what) {
        out.println(Instant.now() + " #" + connection + " " + what);
    }

    /** The packets of one direction of one connection: bytes as read, packets as completed. */
    Stream stream(int connection, String direction) {
        return new Stream(connection, direction);
    }

    final class Stream {
        private final int connection;
        private final String direction;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private boolean lost;

        private Stream(int connection, String direction) {
            this.connection = connection;
            this.direction = direction;
        }

        /** Bytes read and not forwarded ({@link TcpProxy#loseWhatClientsSend}): their packets are traced as lost. */
        void lost(byte[] buffer, int n) {
            lost = true;
            try {
                read(buffer, n);
            } finally {
                lost = false;
            }
        }

        void closed(String why) {
            event(connection, direction + " closed (" + why + "), " + pending.size() + " bytes of a packet left");
        }

        void read(byte[] buffer, int n) {
            pending.write(buffer, 0, n);
            byte[] all = pending.toByteArray();
            int at = 0;
            while (true) {
                int length = 0;
                int multiplier = 1;
                int i = at + 1;
                boolean complete = false;
                while (i < all.length) {
                    int b = all[i++] & 0xff;
                    length += (b & 0x7f) * multiplier;
                    multiplier *= 128;
                    if ((b & 0x80) == 0) {
                        complete = true;
                        break;
                    }
                }
                if (!complete || i + length > all.length) {
                    break;
                }
                packet(all[at] & 0xff, all, i, length);
                at = i + length;
            }
            pending.reset();
            pending.write(all, at, all.length - at);
        }

        private void packet(int header, byte[] b, int body, int length) {
            int type = header >> 4;
            String line;
            switch (type) {
                case 1 -> line = "CONNECT";
                case 2 -> line = "CONNACK sessionPresent=" + ((b[body] & 1) == 1) + " rc=" + (length > 1 ? b[body + 1] & 0xff : 0);
                case 3 -> {
                    int qos = (header >> 1) & 3;
                    int topicLength = ((b[body] & 0xff) << 8) | (b[body + 1] & 0xff);
                    int i = body + 2 + topicLength;
                    int mid = 0;
                    if (qos > 0) {
                        mid = ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
                        i += 2;
                    }
                    int propertiesLength = 0;
                    int multiplier = 1;
                    int v;
                    do {
                        v = b[i++] & 0xff;
                        propertiesLength += (v & 0x7f) * multiplier;
                        multiplier *= 128;
                    } while ((v & 0x80) != 0);
                    i += propertiesLength;
                    line = "PUBLISH d" + ((header >> 3) & 1) + " q" + qos + " m" + mid + " "
                            + new String(b, i, body + length - i, StandardCharsets.UTF_8);
                }
                case 4 -> line = "PUBACK m" + (((b[body] & 0xff) << 8) | (b[body + 1] & 0xff));
                case 8 -> line = "SUBSCRIBE";
                case 9 -> line = "SUBACK";
                case 12 -> line = "PINGREQ";
                case 13 -> line = "PINGRESP";
                case 14 -> line = "DISCONNECT";
                default -> line = "packet type " + type;
            }
            event(connection, direction + (lost ? " LOST (not forwarded) " : " ") + line);
        }
    }

    @Override
    public synchronized void close() {
        out.close();
    }
}
