package io.mqttintegration.runtime.mqtt;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets for the MQTT clients whose input is read through a buffer.
 *
 * <p>Paho 1.2.5 reads from the socket's own stream, which has no buffer: for every packet it asks
 * {@code available()} (an ioctl), reads the fixed header's first byte and each byte of the remaining
 * length with a read call of one byte, then the rest. That is four or five system calls a message,
 * and a CPU profile of the assembly under a QoS 1 stream had the subscription's receiver thread at
 * 40 % of the JVM, mostly in the kernel. Through this buffer, one read takes whatever the kernel has
 * (up to {@value #BUFFER} bytes: many packets), and {@code available()} answers from it while it
 * holds data. TLS sockets need none of this: their stream reads whole records.
 */
public final class ReadBufferedSocketFactory extends SocketFactory {

    static final int BUFFER = 8 * 1024;

    @Override
    public Socket createSocket() {
        return new ReadBufferedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localAddress, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return connected(new InetSocketAddress(address, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = new ReadBufferedSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A socket whose input stream is one {@link ReadBuffer} for its whole life. */
    static final class ReadBufferedSocket extends Socket {

        private InputStream input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new ReadBuffer(super.getInputStream(), BUFFER);
            }
            return input;
        }
    }

    /**
     * {@link java.io.BufferedInputStream} without its locks, and whose {@code available()} does not
     * ask the socket while the buffer holds data (BufferedInputStream's always does: a system call).
     * One reader thread at a time, as Paho's receiver.
     */
    static final class ReadBuffer extends FilterInputStream {

        private final byte[] buffer;
        private int position;
        private int limit;

        ReadBuffer(InputStream in, int size) {
            super(in);
            this.buffer = new byte[size];
        }

        private boolean fill() throws IOException {
            position = 0;
            limit = 0;
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            limit = n;
            return true;
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int buffered = limit - position;
            if (buffered == 0) {
                if (len >= buffer.length) {
                    return in.read(b, off, len); // a large packet goes straight into its own array
                }
                if (!fill()) {
                    return -1;
                }
                buffered = limit;
            }
            int n = Math.min(len, buffered);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            int buffered = limit - position;
            if (buffered > 0) {
                int skipped = (int) Math.min(n, buffered);
                position += skipped;
                return skipped;
            }
            return in.skip(n);
        }

        @Override
        public int available() throws IOException {
            int buffered = limit - position;
            return buffered > 0 ? buffered : in.available();
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }
    }
}
