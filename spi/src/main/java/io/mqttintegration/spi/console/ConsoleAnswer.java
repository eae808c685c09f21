package io.mqttintegration.spi.console;

import java.util.Objects;

/**
 * What a console command prints: text, a table, more text (either text may be empty).
 *
 * @param before lines printed before the table, each ending with a line break
 * @param after  lines printed after it
 */
public record ConsoleAnswer(String before, ConsoleTable table, String after) {

    public ConsoleAnswer {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(after, "after");
    }

    public static ConsoleAnswer of(ConsoleTable table) {
        return new ConsoleAnswer("", table, "");
    }
}
