package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

class MessageIdentityTest {

    static byte[] p(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheNamedUserProperty() {
        MessageIdentity id = MessageIdentity.of("msg-id", null);
        assertEquals("a-17", id.of(List.of(new UserProperty("other", "x"), new UserProperty("msg-id", "a-17")), p("{}")));
        assertNull(id.of(List.of(new UserProperty("other", "x")), p("{}")), "absent: no id, stored at least once");
        assertNull(id.of(null, p("{}")));
    }

    @Test
    void readsAStringOrNumberAtTheJsonPointer() {
        MessageIdentity id = MessageIdentity.of(null, "/meta/id");
        assertEquals("abc", id.of(null, p("{\"meta\":{\"id\":\"abc\"},\"t\":1}")));
        assertEquals("42", id.of(null, p("{\"meta\":{\"id\":42}}")));
        assertNull(id.of(null, p("{\"meta\":{\"id\":{\"x\":1}}}")), "an object is no id");
        assertNull(id.of(null, p("{\"meta\":{}}")));
        assertNull(id.of(null, p("not json")), "a payload that is not JSON has none");
    }

    @Test
    void anIdTooLongOrEmptyIsNone() {
        MessageIdentity id = MessageIdentity.of("id", null);
        assertNull(id.of(List.of(new UserProperty("id", "x".repeat(MessageIdentity.MAX_LENGTH + 1))), p("")));
        assertEquals(MessageIdentity.MAX_LENGTH, id.of(List.of(new UserProperty("id", "x".repeat(MessageIdentity.MAX_LENGTH))), p(""))
                .length());
        assertNull(id.of(List.of(new UserProperty("id", "")), p("")));
    }

    @Test
    void noneGivesNoId() {
        assertNull(MessageIdentity.NONE.of(List.of(new UserProperty("id", "x")), p("{\"id\":1}")));
    }
}
