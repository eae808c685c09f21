package io.mqttintegration.console;

import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * Draws the service's answers as the console prints them: Karaf's {@link ShellTable}, always in
 * ASCII (" | " between columns, a "-+-" rule under the header). Without forceAscii, ShellTable draws
 * box characters whenever the charset it prints with can encode them; the text is printed later, to
 * a terminal whose encoding this cannot know. No width is given, so no column is cut or stretched to
 * a terminal's, and no column is bold or coloured: plain text, the same in tests and over SSH. A
 * cell is one line (whitespace, an exception's line breaks too, folded), "-" when empty, cut with
 * "..." past {@value #MAX_CELL} characters.
 */
public final class ConsoleText {

    /** The longest cell shown. */
    static final int MAX_CELL = 80;

    private ConsoleText() {
    }

    public static String of(ConsoleAnswer answer) {
        return answer.before() + of(answer.table()) + answer.after();
    }

    public static String of(ConsoleTable table) {
        ShellTable shell = new ShellTable().forceAscii();
        table.columns().forEach(shell::column);
        for (var row : table.rows()) {
            shell.addRow().addContent(row.stream().map(ConsoleText::cell).toArray());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, false, StandardCharsets.UTF_8);
        shell.print(print, StandardCharsets.UTF_8, true);
        print.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    static String cell(String value) {
        String text = value == null ? "" : value.replaceAll("\\s+", " ").trim();
        if (text.isEmpty()) {
            return "-";
        }
        return text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 3) + "..." : text;
    }
}
