package io.mqttintegration.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReadBufferedSocketFactoryTest {

    /** A stream that hands out at most {@code chunk} bytes a read and counts what it is asked. */
    static final class Counting extends ByteArrayInputStream {
        int reads;
        int availableCalls;
        final int chunk;

        Counting(byte[] data, int chunk) {
            super(data);
            this.chunk = chunk;
        }

        @Override
        public synchronized int read() {
            reads++;
            return super.read();
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            reads++;
            return super.read(b, off, Math.min(len, chunk));
        }

        @Override
        public synchronized int available() {
            availableCalls++;
            return super.available();
        }
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    @Test
    void manySmallReadsTakeOneReadOfTheUnderlyingStream() throws IOException {
        byte[] data = bytes(1000);
        Counting under = new Counting(data, 4096);
        DataInputStream in = new DataInputStream(new ReadBufferedSocketFactory.ReadBuffer(under, 4096));
        byte[] got = new byte[1000];
        got[0] = in.readByte();
        got[1] = in.readByte();
        assertEquals(998, in.available(), "answered from the buffer");
        in.readFully(got, 2, 998);
        assertArrayEquals(data, got);
        assertEquals(1, under.reads);
        assertEquals(0, under.availableCalls);
        assertEquals(-1, in.read());
    }

    @Test
    void dataArrivingInPiecesIsReadWholeAcrossBufferEnds() throws IOException {
        byte[] data = bytes(50_000);
        Counting under = new Counting(data, 700);
        DataInputStream in = new DataInputStream(new ReadBufferedSocketFactory.ReadBuffer(under, 1024));
        byte[] got = new byte[data.length];
        int off = 0;
        for (int len : new int[] {1, 3, 500, 2000, 1, 10_000}) {
            in.readFully(got, off, len);
            off += len;
        }
        in.readFully(got, off, data.length - off);
        assertArrayEquals(data, got);
        assertEquals(0, in.available());
    }

    @Test
    void aReadLargerThanTheBufferGoesStraightIntoTheCallersArray() throws IOException {
        byte[] data = bytes(10_000);
        Counting under = new Counting(data, 100_000);
        InputStream in = new ReadBufferedSocketFactory.ReadBuffer(under, 1024);
        byte[] got = new byte[10_000];
        assertEquals(10_000, in.read(got, 0, got.length));
        assertArrayEquals(data, got);
        assertEquals(1, under.reads);
    }

    @Test
    void aSocketFromTheFactoryCarriesBytesBothWays() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException ignored) {
                    // the client closed
                }
            });
            echo.start();
            try (Socket socket = new ReadBufferedSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                assertTrue(socket.getInputStream() == socket.getInputStream(), "one buffer for the socket's life");
                byte[] data = bytes(100_000);
                OutputStream out = socket.getOutputStream();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(data);
                        socket.shutdownOutput();
                    } catch (IOException ignored) {
                        // reported by the reader
                    }
                });
                writer.start();
                byte[] got = new DataInputStream(socket.getInputStream()).readNBytes(data.length);
                writer.join(10_000);
                assertTrue(Arrays.equals(data, got));
            }
            echo.join(10_000);
        }
    }
}
