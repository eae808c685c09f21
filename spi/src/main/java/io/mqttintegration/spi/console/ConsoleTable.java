package io.mqttintegration.spi.console;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A table a console command prints: named columns and rows of text, filled by the service and drawn
 * by the console bundle (Karaf's ShellTable). A cell is its value's {@code toString()}; null is empty.
 */
public final class ConsoleTable {

    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public ConsoleTable(String... columns) {
        this.columns = List.of(columns);
    }

    /** Adds a row of one cell per column. */
    public ConsoleTable row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + columns.size() + " columns " + columns);
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.toString()).toList());
        return this;
    }

    public List<String> columns() {
        return columns;
    }

    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsoleTable t && t.columns.equals(columns) && t.rows.equals(rows);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, rows);
    }

    @Override
    public String toString() {
        return "ConsoleTable" + columns + rows;
    }
}
