package io.mqttintegration.runtime.subscriptions;

import static io.mqttintegration.runtime.subscriptions.InflightWindow.Admission.ACKNOWLEDGE;
import static io.mqttintegration.runtime.subscriptions.InflightWindow.Admission.DELIVER;
import static io.mqttintegration.runtime.subscriptions.InflightWindow.Admission.FOLLOWS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client-side window of one subscription, without Paho: packet ids and connection events by hand. */
class InflightWindowTest {

    static byte[] p(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static InflightWindow connected(int size) {
        InflightWindow w = new InflightWindow(size);
        w.connected();
        return w;
    }

    @Test
    void aFullWindowHoldsTheNextMessageUntilOneIsStored() throws Exception {
        InflightWindow w = connected(2);
        assertEquals(DELIVER, w.admit(1, "t", p("a"), false));
        assertEquals(DELIVER, w.admit(2, "t", p("b"), false));
        CompletableFuture<InflightWindow.Admission> third = CompletableFuture.supplyAsync(() -> {
            try {
                return w.admit(3, "t", p("c"), false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(java.util.concurrent.TimeoutException.class, () -> third.get(200, TimeUnit.MILLISECONDS),
                "the third waits: the window holds two");
        assertTrue(w.stored(1), "stored on the connection it came on: acknowledge now");
        assertEquals(DELIVER, third.get(5, TimeUnit.SECONDS));
        assertEquals(2, w.inFlight());
    }

    @Test
    void aWaitingMessageIsNotTakenWhenItsThreadIsInterrupted() throws Exception {
        InflightWindow w = connected(1);
        w.admit(1, "t", p("a"), false);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> w.admit(2, "t", p("b"), false));
        assertEquals(1, w.inFlight(), "nothing taken for the interrupted one");
    }

    @Test
    void aMessageSentAgainWhileItsFirstCopyIsOnItsWayIsAcknowledgedWithItNotStoredTwice() throws Exception {
        InflightWindow w = connected(10);
        assertEquals(DELIVER, w.admit(7, "t", p("a"), false));
        w.disconnected();
        w.connected();
        assertEquals(FOLLOWS, w.admit(7, "t", p("a"), true), "the broker's resend of message 7: not handed on again");
        assertEquals(1, w.inFlight(), "and it takes no second slot");
        assertTrue(w.stored(7), "the first copy commits: acknowledged on the new connection, which the resend came on");
        assertEquals(0, w.inFlight());
    }

    @Test
    void aMessageStoredAfterItsConnectionWentIsAcknowledgedWhenTheBrokerSendsItAgain() throws Exception {
        InflightWindow w = connected(10);
        w.admit(7, "t", p("a"), false);
        w.disconnected();
        assertFalse(w.stored(7), "no PUBACK: its connection is gone (on the next one it would acknowledge another message)");
        assertEquals(0, w.inFlight(), "its slot is free");
        assertEquals(1, w.awaitingResend());
        w.connected();
        assertFalse(w.stored(7), "counted once");
        assertEquals(ACKNOWLEDGE, w.admit(7, "t", p("a"), true), "the resend: acknowledged, not stored");
        assertEquals(0, w.awaitingResend());
    }

    @Test
    void aPacketIdUsedAgainForAnotherMessageIsANewMessage() throws Exception {
        InflightWindow w = connected(10);
        w.admit(7, "t", p("a"), false);
        assertTrue(w.stored(7));
        assertEquals(DELIVER, w.admit(7, "t", p("b"), false), "acknowledged id 7 carries another message now");
        w.disconnected();
        w.connected();
        assertEquals(DELIVER, w.admit(8, "t", p("b"), true), "a resend the window never saw is stored");
        assertEquals(DELIVER, w.admit(9, "other", p("a"), false));
    }

    @Test
    void aResendWhosePubackWasLostWithItsConnectionIsAcknowledgedNotStored() throws Exception {
        InflightWindow w = connected(10);
        w.admit(5, "t", p("a"), false);
        assertTrue(w.stored(5), "PUBACK queued");
        w.disconnected(); // ... and lost with the connection
        w.connected();
        assertEquals(ACKNOWLEDGE, w.admit(5, "t", p("a"), true), "the broker sends it again with DUP: acknowledge only");
        assertEquals(DELIVER, w.admit(6, "t", p("a"), false), "the same content under another id without DUP is a new message");
    }

    @Test
    void aPubackThatCouldNotBeSentWaitsForTheResend() throws Exception {
        InflightWindow w = connected(10);
        w.admit(5, "t", p("a"), false);
        assertTrue(w.stored(5));
        w.acknowledgementFailed(5);
        w.disconnected();
        w.connected();
        assertEquals(ACKNOWLEDGE, w.admit(5, "t", p("a"), false), "acknowledged when sent again, DUP or not");
    }

    @Test
    void aMessageThatWasNotStoredIsStoredWhenTheBrokerSendsItAgain() throws Exception {
        InflightWindow w = connected(10);
        w.admit(3, "t", p("a"), false);
        w.notStored(3);
        assertEquals(0, w.inFlight());
        w.disconnected();
        w.connected();
        assertEquals(DELIVER, w.admit(3, "t", p("a"), true));
    }
}
