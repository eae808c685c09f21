package io.mqttintegration.devdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * For tests: a throw-away certificate authority and a server certificate it signs, made with the
 * openssl command (PEM files in a folder).
 *
 * @param caCert the CA certificate (what clients trust)
 * @param cert   the server certificate, for the given DNS names and 127.0.0.1
 * @param key    the server's private key
 */
public record TestCertificates(Path caCert, Path cert, Path key) {

    public static TestCertificates create(Path dir, String dnsName) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path caKey = dir.resolve("ca.key");
        Path caCert = dir.resolve("ca.pem");
        Path key = dir.resolve("server.key");
        Path csr = dir.resolve("server.csr");
        Path cert = dir.resolve("server.pem");
        Path ext = dir.resolve("san.ext");
        Files.writeString(ext, "subjectAltName=DNS:" + dnsName + ",IP:127.0.0.1\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-days", "2", "-subj", "/CN=mqi test CA");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", "/CN=" + dnsName);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        return new TestCertificates(caCert, cert, key);
    }

    /** The server key and certificate (with its CA) as a PKCS12 key store, as a server configures them. */
    public Path pkcs12(Path file, String password) throws IOException, InterruptedException {
        openssl(file.toAbsolutePath().getParent(), "pkcs12", "-export", "-in", cert.toString(), "-inkey", key.toString(),
                "-certfile", caCert.toString(), "-name", "server", "-out", file.toString(), "-passout", "pass:" + password);
        return file;
    }

    /** An SSLContext that trusts only this CA, for clients in tests. */
    public javax.net.ssl.SSLContext clientContext() throws java.security.GeneralSecurityException, IOException {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(caCert)) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + args[0] + " failed: " + new String(output));
        }
    }
}
