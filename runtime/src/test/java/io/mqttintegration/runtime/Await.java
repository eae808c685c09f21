package io.mqttintegration.runtime;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Polls a condition until it holds, bounded; the failure names what was awaited. */
public final class Await {

    private Await() {
    }

    public static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        until(what, timeout, () -> "", condition);
    }

    /** @param state described in the failure message */
    public static void until(String what, Duration timeout, Callable<String> state, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what + " " + state.call());
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
