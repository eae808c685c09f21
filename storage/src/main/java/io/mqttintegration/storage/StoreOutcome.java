package io.mqttintegration.storage;

/** How a message ended up in PostgreSQL. */
public enum StoreOutcome {
    /** Its rows are committed in mqtt_messages. */
    STORED,
    /** PostgreSQL refused its rows; it is committed in dead_letters with the reason. */
    DEAD_LETTERED
}
