package io.mqttintegration.runtime.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets that connect to one checked address, whatever address they are asked for. Paho makes
 * an unconnected socket and connects it to {@code new InetSocketAddress(host, port)}, a fresh DNS
 * lookup of the broker's name that a rebinding DNS server could answer with another address; the
 * sockets made here ignore that address, connect to the one {@link BrokerTargets} checked, and then
 * speak TLS with the broker's name (SNI and the certificate check use it, as before).
 */
final class PinnedSslSocketFactory extends SSLSocketFactory {

    private final SSLSocketFactory tls;
    private final InetAddress address;
    private final String host;
    private final int port;

    PinnedSslSocketFactory(SSLSocketFactory tls, InetAddress address, String host, int port) {
        this.tls = tls;
        this.address = address;
        this.host = host;
        this.port = port;
    }

    @Override
    public Socket createSocket() {
        return new PinnedSocket();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return tls.createSocket(s, this.host, this.port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(0);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(0);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(0);
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(0);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return tls.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.getSupportedCipherSuites();
    }

    private SSLSocket connected(int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(address, port), timeoutMillis);
            return (SSLSocket) tls.createSocket(plain, host, port, true);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** An SSLSocket that becomes a real one (to the checked address) when connected. */
    private final class PinnedSocket extends SSLSocket {

        private SSLSocket socket;
        private int soTimeout;

        private SSLSocket s() throws SocketException {
            if (socket == null) {
                throw new SocketException("not connected");
            }
            return socket;
        }

        private SSLSocket unchecked() {
            if (socket == null) {
                throw new IllegalStateException("not connected");
            }
            return socket;
        }

        @Override
        public void connect(SocketAddress ignored, int timeout) throws IOException {
            socket = connected(timeout);
            socket.setSoTimeout(soTimeout);
        }

        @Override
        public void connect(SocketAddress ignored) throws IOException {
            connect(ignored, 0);
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return s().getInputStream();
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return s().getOutputStream();
        }

        @Override
        public synchronized void setSoTimeout(int timeout) throws SocketException {
            soTimeout = timeout;
            if (socket != null) {
                socket.setSoTimeout(timeout);
            }
        }

        @Override
        public synchronized int getSoTimeout() throws SocketException {
            return socket == null ? soTimeout : socket.getSoTimeout();
        }

        @Override
        public void setTcpNoDelay(boolean on) throws SocketException {
            s().setTcpNoDelay(on);
        }

        @Override
        public void shutdownInput() throws IOException {
            s().shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            s().shutdownOutput();
        }

        @Override
        public synchronized void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
        }

        @Override
        public boolean isConnected() {
            return socket != null && socket.isConnected();
        }

        @Override
        public boolean isClosed() {
            return socket != null && socket.isClosed();
        }

        @Override
        public boolean isInputShutdown() {
            return socket != null && socket.isInputShutdown();
        }

        @Override
        public boolean isOutputShutdown() {
            return socket != null && socket.isOutputShutdown();
        }

        @Override
        public InetAddress getInetAddress() {
            return socket == null ? null : socket.getInetAddress();
        }

        @Override
        public int getPort() {
            return socket == null ? 0 : socket.getPort();
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            return socket == null ? null : socket.getRemoteSocketAddress();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return tls.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return unchecked().getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            unchecked().setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return unchecked().getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return unchecked().getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            unchecked().setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return unchecked().getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return unchecked().getHandshakeSession();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return unchecked().getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            unchecked().setSSLParameters(params);
        }

        @Override
        public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
            unchecked().addHandshakeCompletedListener(listener);
        }

        @Override
        public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
            unchecked().removeHandshakeCompletedListener(listener);
        }

        @Override
        public void startHandshake() throws IOException {
            s().startHandshake();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            unchecked().setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return unchecked().getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            unchecked().setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return unchecked().getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            unchecked().setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return unchecked().getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            unchecked().setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return unchecked().getEnableSessionCreation();
        }

        @Override
        public String getApplicationProtocol() {
            return unchecked().getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return unchecked().getHandshakeApplicationProtocol();
        }
    }
}
