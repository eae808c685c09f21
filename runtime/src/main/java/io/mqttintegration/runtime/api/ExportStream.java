package io.mqttintegration.runtime.api;

import io.mqttintegration.storage.tenants.ExportCursor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An export as the body of an HTTP answer: each read encodes the next rows of the cursor into a
 * small buffer (about {@link #CHUNK} bytes, plus one row), so memory holds one chunk and the
 * cursor's one fetch, whatever the size of the export. The cursor (its connection and transaction)
 * is released after the last row, when a read fails, and by {@link #close()} or {@link #abort()}
 * (the client went away), whichever comes first; a read after that ends the stream. Reads come from
 * one thread at a time (Vert.x worker threads, one after another); close and abort may come from
 * any thread and never wait for a read: a read in progress releases the cursor itself when it ends.
 */
final class ExportStream<T> extends InputStream {

    static final int CHUNK = 64 * 1024;

    /** Where the rows come from: the next row (null after the last), and how to release the source. */
    interface Rows<T> {
        T next();

        void close();
    }

    private final Rows<T> cursor;
    private final ExportLines<T> lines;
    private final ReentrantLock lock = new ReentrantLock();
    private final Buffer buffer = new Buffer();
    private int position;
    private boolean headerWritten;
    private boolean ended;
    private boolean released;
    private volatile boolean aborted;
    private int largestBuffer;
    private Runnable onFailure = () -> { };

    ExportStream(Rows<T> cursor, ExportLines<T> lines) {
        this.cursor = cursor;
        this.lines = lines;
    }

    /** An export of a database cursor's rows; {@code released} runs once, when the cursor is closed. */
    static <T> ExportStream<T> of(ExportCursor<T> cursor, ExportLines<T> lines, Runnable released) {
        return new ExportStream<>(new Rows<>() {
            @Override
            public T next() {
                return cursor.next();
            }

            @Override
            public void close() {
                try {
                    cursor.close();
                } finally {
                    released.run();
                }
            }
        }, lines);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            if (aborted) {
                // Only once the connection is gone (the client closed it) or the answer has ended:
                // nobody reads this end, and it lets Camel's pump finish the exchange quietly.
                release();
                return -1;
            }
            if (position == buffer.size()) {
                buffer.reset();
                position = 0;
                fill();
            }
            if (position == buffer.size()) {
                return -1;
            }
            int n = Math.min(len, buffer.size() - position);
            System.arraycopy(buffer.bytes(), position, b, off, n);
            position += n;
            return n;
        } catch (RuntimeException e) {
            release();
            // The status (200) and part of the export are sent: the client must see a cut transfer
            // (no final chunk), not an end that would make a partial export look complete.
            onFailure.run();
            throw new IOException("export failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
            releaseIfAborted();
        }
    }

    private void fill() throws IOException {
        if (!headerWritten) {
            headerWritten = true;
            lines.header(buffer);
        }
        while (!ended && buffer.size() < CHUNK) {
            T row = cursor.next();
            if (row == null) {
                ended = true;
                release();
            } else {
                lines.line(row, buffer);
            }
        }
        largestBuffer = Math.max(largestBuffer, buffer.capacity());
    }

    /** What to do when a read fails, before the failure is thrown: cut the connection. */
    void onFailure(Runnable action) {
        this.onFailure = action;
    }

    /** The client went away: the next read ends the stream (never waits, never touches the database). */
    void stop() {
        aborted = true;
    }

    /** The client went away: release the cursor now, or at the end of the read in progress. */
    void abort() {
        aborted = true;
        releaseIfAborted();
    }

    /** Releases the cursor (the answer ended or failed); never waits for a read in progress. */
    @Override
    public void close() {
        abort();
    }

    private void releaseIfAborted() {
        if (aborted && lock.tryLock()) {
            try {
                release();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Closes the source once; under the lock. */
    private void release() {
        if (!released) {
            released = true;
            cursor.close();
        }
    }

    /** The largest the buffer has grown to, in bytes (for tests). */
    int largestBuffer() {
        return largestBuffer;
    }

    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(CHUNK + 8 * 1024);
        }

        byte[] bytes() {
            return buf;
        }

        int capacity() {
            return buf.length;
        }
    }
}
