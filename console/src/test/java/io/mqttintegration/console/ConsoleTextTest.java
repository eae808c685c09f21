package io.mqttintegration.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import org.junit.jupiter.api.Test;

class ConsoleTextTest {

    @Test
    void aTableIsPlainAsciiWithOneLinePerRow() {
        ConsoleTable table = new ConsoleTable("ID", "STATE").row("a", "Started").row("bb", null);
        assertEquals("ID | STATE\n"
                + "---+--------\n"
                + "a  | Started\n"
                + "bb | -\n", ConsoleText.of(table));
    }

    @Test
    void aCellIsFoldedToOneLineAndCutPastEightyCharacters() {
        assertEquals("refused: Connection reset", ConsoleText.cell("refused:\n\tConnection reset \n"));
        assertEquals("-", ConsoleText.cell("  "));
        String cut = ConsoleText.cell("x".repeat(200));
        assertEquals(ConsoleText.MAX_CELL, cut.length());
        assertEquals("x".repeat(ConsoleText.MAX_CELL - 3) + "...", cut);
    }

    @Test
    void anAnswerIsItsTextAroundItsTable() {
        ConsoleAnswer answer = new ConsoleAnswer("maintenance ran\n", new ConsoleTable("N").row(1), "retention: 30 days\n");
        assertEquals("maintenance ran\nN\n-\n1\nretention: 30 days\n", ConsoleText.of(answer));
    }
}
