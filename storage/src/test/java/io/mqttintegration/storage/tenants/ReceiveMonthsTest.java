package io.mqttintegration.storage.tenants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which receive times a newest-first readings query reads, from the months' bounds. */
class ReceiveMonthsTest {

    private static ReceiveMonths.Month month(String month, String maxTs) {
        return new ReceiveMonths.Month(LocalDate.parse(month + "-01"), Instant.parse(maxTs));
    }

    private static ReceiveMonths.Span span(String from, String to) {
        return new ReceiveMonths.Span(Instant.parse(from), Instant.parse(to));
    }

    /** Four months, each holding readings of its own month; November's device clock ran into 2100. */
    private final ReceiveMonths months = new ReceiveMonths(List.of(
            month("2026-12", "2026-12-03T00:00:00Z"),
            month("2026-11", "2026-12-01T00:00:00Z"),
            month("2026-10", "2100-01-02T00:00:00Z"),
            month("2026-09", "2026-10-01T00:00:00Z")));

    @Test
    void everyMonthIsFromTheStartOfTheOldestToTheEndOfTheNewest() {
        assertEquals(span("2026-09-01T00:00:00Z", "2027-01-01T00:00:00Z"), months.all());
    }

    @Test
    void theTwoNewestMonthsAreReadFirst() {
        assertEquals(Optional.of(span("2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z")), months.recent());
    }

    @Test
    void twoMonthsOrFewerAreReadAtOnce() {
        ReceiveMonths two = new ReceiveMonths(months.newestFirst().subList(0, 2));
        assertEquals(Optional.empty(), two.recent());
        assertEquals(span("2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z"), two.all());
        assertEquals(Optional.empty(), two.reaching(Instant.parse("2000-01-01T00:00:00Z")), "no earlier month to read");
    }

    @Test
    void aPageNewerThanEveryEarlierMonthStands() {
        ReceiveMonths plain = new ReceiveMonths(List.of(months.newestFirst().get(0), months.newestFirst().get(1),
                months.newestFirst().get(3)));
        assertEquals(Optional.empty(), plain.reaching(Instant.parse("2026-11-20T00:00:00Z")));
        assertEquals(Optional.empty(), plain.reaching(Instant.parse("2026-10-01T00:00:00.000001Z")));
    }

    @Test
    void anEarlierMonthWhoseBoundsReachThePageIsReadAgainWithEverythingNewer() {
        assertEquals(Optional.of(span("2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z")),
                months.reaching(Instant.parse("2026-11-20T00:00:00Z")), "October holds readings up to 2100");
        assertEquals(Optional.of(span("2026-09-01T00:00:00Z", "2027-01-01T00:00:00Z")),
                months.reaching(Instant.parse("2026-10-01T00:00:00Z")), "a bound equal to the page's last time reaches it");
    }

    @Test
    void noMonthMeansNothingToRead() {
        assertTrue(new ReceiveMonths(List.of()).isEmpty());
        assertEquals(Optional.empty(), new ReceiveMonths(List.of()).recent());
    }

    @Test
    void monthsMustComeNewestFirst() {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveMonths(List.of(month("2026-09", "2026-10-01T00:00:00Z"),
                month("2026-10", "2026-11-01T00:00:00Z"))));
    }
}
