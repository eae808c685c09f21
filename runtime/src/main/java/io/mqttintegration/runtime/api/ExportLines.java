package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The lines of an export ({@code GET /api/v1/telemetry/export}): CSV (a header line, then one line
 * per row, RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled, lines end in
 * CRLF) or NDJSON (one JSON object per line, ending in LF). The columns of the CSV are the fields of
 * the NDJSON objects, in the same order; NDJSON leaves out an optional field that has no value, as the
 * JSON endpoints do, CSV leaves its cell empty.
 */
final class ExportLines<T> {

    /** The two formats and the media types they are served as. */
    enum Format {
        CSV("text/csv; charset=utf-8", "csv"), NDJSON("application/x-ndjson", "ndjson");

        final String contentType;
        final String extension;

        Format(String contentType, String extension) {
            this.contentType = contentType;
            this.extension = extension;
        }
    }

    /** A cell: its column, its value (null for none), whether the value is JSON text, whether NDJSON omits it when null. */
    record Cell(String name, String value, boolean json, boolean optional) {
    }

    /** Makes the cells of one row, in column order. */
    @FunctionalInterface
    interface Cells<T> {
        List<Cell> of(T row);
    }

    static final List<String> READING_COLUMNS = List.of("deviceId", "timestamp", "metrics", "units", "topic", "integrationId",
            "receivedAt");
    static final List<String> MESSAGE_COLUMNS = List.of("messageId", "integrationId", "source", "topic", "contentType",
            "payload", "payloadBase64", "parseStatus", "parseError", "receivedAt");

    private static final JsonFactory JSON = new JsonFactory();

    private final Format format;
    private final List<String> columns;
    private final Cells<T> cells;

    private ExportLines(Format format, List<String> columns, Cells<T> cells) {
        this.format = format;
        this.columns = columns;
        this.cells = cells;
    }

    /** Readings, with the fields of {@code GET /api/v1/telemetry} and the receive time. */
    static ExportLines<TelemetryStore.Received> readings(Format format) {
        return new ExportLines<>(format, READING_COLUMNS, r -> {
            TelemetryStore.Row row = r.reading();
            List<Cell> cells = new ArrayList<>(7);
            cells.add(new Cell("deviceId", row.deviceId(), false, false));
            cells.add(new Cell("timestamp", row.timestamp().toString(), false, false));
            cells.add(new Cell("metrics", row.metricsJson(), true, false));
            String units = row.unitsJson() == null || row.unitsJson().equals("{}") ? null : row.unitsJson();
            cells.add(new Cell("units", units, true, true));
            cells.add(new Cell("topic", row.topic(), false, false));
            cells.add(new Cell("integrationId", row.integrationId() == null ? null : row.integrationId().toString(), false, false));
            cells.add(new Cell("receivedAt", r.receivedAt().toString(), false, false));
            return cells;
        });
    }

    /** Messages, with the fields of {@code GET /api/v1/messages}: the payload as text if it is UTF-8, else in base64. */
    static ExportLines<TelemetryStore.Message> messages(Format format) {
        return new ExportLines<>(format, MESSAGE_COLUMNS, m -> {
            String text = TelemetryApi.utf8(m.payload());
            List<Cell> cells = new ArrayList<>(10);
            cells.add(new Cell("messageId", m.messageId().toString(), false, false));
            cells.add(new Cell("integrationId", m.integrationId() == null ? null : m.integrationId().toString(), false, false));
            cells.add(new Cell("source", m.source(), false, false));
            cells.add(new Cell("topic", m.topic(), false, false));
            cells.add(new Cell("contentType", m.contentType(), false, false));
            cells.add(new Cell("payload", text, false, true));
            cells.add(new Cell("payloadBase64", text == null ? Base64.getEncoder().encodeToString(m.payload()) : null, false, true));
            cells.add(new Cell("parseStatus", m.parseStatus(), false, false));
            cells.add(new Cell("parseError", m.parseError(), false, true));
            cells.add(new Cell("receivedAt", m.receivedAt().toString(), false, false));
            return cells;
        });
    }

    /** What the export starts with: the CSV header line; nothing for NDJSON. */
    void header(OutputStream out) throws IOException {
        if (format == Format.CSV) {
            StringBuilder line = new StringBuilder();
            for (String column : columns) {
                if (line.length() > 0) {
                    line.append(',');
                }
                csv(line, column);
            }
            out.write(line.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes one row's line. */
    void line(T row, OutputStream out) throws IOException {
        List<Cell> values = cells.of(row);
        if (format == Format.CSV) {
            StringBuilder line = new StringBuilder(256);
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    line.append(',');
                }
                if (values.get(i).value() != null) {
                    csv(line, values.get(i).value());
                }
            }
            out.write(line.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (JsonGenerator g = JSON.createGenerator(new NoClose(out))) {
            g.writeStartObject();
            for (Cell cell : values) {
                if (cell.value() == null) {
                    if (!cell.optional()) {
                        g.writeNullField(cell.name());
                    }
                } else if (cell.json()) {
                    g.writeFieldName(cell.name());
                    g.writeRawValue(cell.value());
                } else {
                    g.writeStringField(cell.name(), cell.value());
                }
            }
            g.writeEndObject();
        }
        out.write('\n');
    }

    /** RFC 4180: quoted when it holds a comma, a quote, CR or LF; a quote inside is doubled. */
    static void csv(StringBuilder line, String value) {
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                line.append('"');
            }
            line.append(c);
        }
        line.append('"');
    }

    /** Lets the generator flush into the export's buffer without closing it. */
    private static final class NoClose extends java.io.FilterOutputStream {
        NoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    static String csvField(String value) {
        StringBuilder line = new StringBuilder();
        csv(line, value);
        return line.toString();
    }
}
