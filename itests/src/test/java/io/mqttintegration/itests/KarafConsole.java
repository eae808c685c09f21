package io.mqttintegration.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Karaf console over SSH, as an operator scripts it: OpenSSH with a key listed in
 * etc/keys.properties (bin/client needs a terminal). Every command and its output is kept, so a
 * test can print the session.
 */
final class KarafConsole {

    private final Path key;
    private final int port;
    private final StringBuilder transcript = new StringBuilder();

    private KarafConsole(Path key, int port) {
        this.key = key;
        this.port = port;
    }

    /**
     * Makes an SSH key and lists it for user "operator" (group admingroup) in the Karaf's
     * etc/keys.properties: the step an operator takes to reach a console that ships with no user.
     */
    static KarafConsole enable(Path karafHome, Path workDir, int sshPort) throws IOException, InterruptedException {
        Path key = workDir.resolve("operator-ssh-key");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        if (!keygen.waitFor(60, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
            throw new IOException("ssh-keygen failed: " + new String(keygen.getInputStream().readAllBytes()));
        }
        String publicKey = Files.readString(workDir.resolve("operator-ssh-key.pub")).split(" ")[1];
        Files.writeString(karafHome.resolve("etc/keys.properties"), "\noperator=" + publicKey + ",_g_:admingroup\n",
                StandardOpenOption.APPEND);
        return new KarafConsole(key, sshPort);
    }

    /** Runs one console command; returns its output (ANSI colours removed). */
    String run(String command) throws IOException, InterruptedException {
        List<String> ssh = new ArrayList<>(List.of("ssh", "-p", Integer.toString(port), "-i", key.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "operator@127.0.0.1", command));
        Process p = new ProcessBuilder(ssh).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("console command did not finish: " + command);
        }
        String text = new String(out, StandardCharsets.UTF_8).replaceAll("\u001B\\[[;\\d]*m", "")
                .replace("Connection to 127.0.0.1 closed by remote host.", "").replace("\r", "").stripTrailing();
        transcript.append("karaf@root()> ").append(command).append('\n').append(text).append('\n');
        return text;
    }

    /** Runs a command until its output satisfies the check (a command appears when its service does). */
    String await(String command, java.util.function.Predicate<String> done, java.time.Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        do {
            last = run(command);
            if (done.test(last)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(command + " did not give the expected output within " + timeout + "; last:\n" + last);
    }

    /** Starts the kept transcript afresh (so a test prints only the part worth reading). */
    void clearTranscript() {
        transcript.setLength(0);
    }

    String transcript() {
        return transcript.toString();
    }
}
