package io.mqttintegration.runtime.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mqttintegration.runtime.http.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttInputTest {

    @Test
    void controlCharactersSurrogatesAndNonCharactersAreRefused() {
        for (String bad : List.of("a\u0000", "\u0001", "a\u001fb", "\u007f", "x\u0085", "\u009f", "a\ud800", "\udc00b", "\ud800\ud800",
                "\uffff", "\ufffe", "\ufdd0", "\ufdef", new String(Character.toChars(0x1fffe)), new String(Character.toChars(0x10ffff)))) {
            assertNotNull(MqttInput.problem(bad), bad.codePoints().mapToObj(Integer::toHexString).toList().toString());
        }
    }

    @Test
    void ordinaryTextEmojiAndOtherPlanesPass() {
        for (String good : List.of("plant/devices/d1", "température/°C", "\ud83d\ude00", "\u00a0", "\ufdcf\ufdf0", "a$b", "\ufffd")) {
            assertNull(MqttInput.problem(good), good);
        }
    }

    @Test
    void topicNamesMayNotBeginWithDollar() {
        for (String reserved : List.of("$SYS/broker/load", "$share/g/t", "$")) {
            ApiException e = assertThrows(ApiException.class, () -> MqttInput.checkTopicName(reserved, "topic"), reserved);
            assertEquals(400, e.status());
            assertEquals("topic", e.field());
        }
        assertEquals("a/$SYS", MqttInput.checkTopicName("a/$SYS", "topic"));
    }

    @Test
    void theErrorNamesTheFieldAndTheCharacter() {
        ApiException e = assertThrows(ApiException.class, () -> MqttInput.checkString("text/plain\u0007", "contentType"));
        assertEquals("contentType", e.field());
        assertEquals("contentType holds the control character U+0007 at character 10, which MQTT does not allow", e.getMessage());
    }

    @Test
    void filtersMayNotBeginWithDollarNorHoldForbiddenCharacters() {
        assertNotNull(MqttInput.filterProblem("$SYS/#"));
        assertNotNull(MqttInput.filterProblem("a/\u0001/#"));
        assertNull(MqttInput.filterProblem("+/devices/#"));
    }
}
