package io.mqttintegration.devdb;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The run command's database: a durable embedded PostgreSQL on a fixed port and data folder,
 * with the role and database the default DataSource config expects. Runs until stopped (SIGTERM
 * or Ctrl-C), then shuts PostgreSQL down cleanly.
 *
 * <p>Usage: {@code DevDatabaseMain <dataDir> <port> <database> <user> <password>}
 */
public final class DevDatabaseMain {

    private DevDatabaseMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: DevDatabaseMain <dataDir> <port> <database> <user> <password>");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        EmbeddedDatabase db = EmbeddedDatabase.start(dataDir, port, true);
        db.ensureDatabase(args[2], args[3], args[4]);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                db.close();
                System.out.println("PostgreSQL stopped");
            } catch (Exception e) {
                System.err.println("PostgreSQL did not stop cleanly: " + e);
            } finally {
                stopped.countDown();
            }
        }, "postgres-stop"));
        System.out.println("PostgreSQL ready on 127.0.0.1:" + db.port() + " (data in " + dataDir + ")");
        stopped.await();
    }
}
