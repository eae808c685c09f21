package io.mqttintegration.spi.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConsoleTableTest {

    @Test
    void cellsAreTheirValuesTextAndNullIsEmpty() {
        UUID id = UUID.fromString("00000000-0000-0000-0000-000000000001");
        ConsoleTable table = new ConsoleTable("ID", "COUNT", "ERROR").row(id, 3L, null);
        assertEquals(List.of("ID", "COUNT", "ERROR"), table.columns());
        assertEquals(List.of(List.of(id.toString(), "3", "")), table.rows());
    }

    @Test
    void aRowHasOneCellPerColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConsoleTable("A", "B").row("only one"));
        assertEquals("1 cells for 2 columns [A, B]", e.getMessage());
    }
}
