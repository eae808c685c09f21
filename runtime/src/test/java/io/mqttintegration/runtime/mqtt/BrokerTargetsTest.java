package io.mqttintegration.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BrokerTargetsTest {

    private final BrokerTargets production = new BrokerTargets(false);
    private final BrokerTargets development = new BrokerTargets(true);

    private static byte[] bytes(String literal) throws UnknownHostException {
        if (literal.startsWith("::ffff:") && literal.indexOf('.') > 0) {
            byte[] v4 = InetAddress.getByName(literal.substring(7)).getAddress();
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(v4, 0, b, 12, 4);
            return b;
        }
        return InetAddress.getByName(literal).getAddress();
    }

    /**
     * A resolver that answers the given names with the given addresses (IPv6 kept as IPv6, as a DNS
     * answer is) and IP literals with themselves; any other name does not resolve.
     */
    static BrokerTargets.Resolver names(Map<String, String> answers) {
        return host -> {
            String literal = host.matches("[0-9.]+|.*:.*") ? host : answers.get(host);
            if (literal == null) {
                throw new UnknownHostException(host);
            }
            byte[] b = bytes(literal);
            return new InetAddress[] {b.length == 16 ? Inet6Address.getByAddress(host, b, null) : InetAddress.getByAddress(host, b)};
        };
    }

    @Test
    void metadataLinkLocalUnspecifiedAndMulticastAreAlwaysRefused() throws Exception {
        for (String host : new String[] {"169.254.169.254", "fd00:ec2::254", "0.0.0.0", "::", "224.0.0.1", "fe80::1",
                "255.255.255.255", "0.1.2.3"}) {
            assertFalse(development.allowed(InetAddress.getByName(host), 1883), host);
            BrokerException e = assertThrows(BrokerException.class, () -> development.resolve(host, 1883), host);
            assertEquals("refused", e.kind(), "looks like any refused connection");
        }
    }

    @Test
    void loopbackAndPrivateRangesOnlyWhenAllowed() throws Exception {
        for (String host : new String[] {"127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1",
                "100.64.0.1", "fd12:3456::1"}) {
            assertFalse(production.allowed(InetAddress.getByName(host), 1883), host);
            assertTrue(development.allowed(InetAddress.getByName(host), 1883), host);
        }
        assertEquals("refused", assertThrows(BrokerException.class, () -> production.resolve("localhost", 1883)).kind(),
                "a name that resolves to a blocked address is refused too");
        assertTrue(production.allowed(InetAddress.getByName("93.184.216.34"), 1883), "a public address");
    }

    /** Each IPv6 form that carries an IPv4 address, with a forbidden, a private and a public one inside. */
    private static final List<String[]> EMBEDDING = List.of(
            // form, embeds 169.254.169.254 (forbidden), embeds 127.0.0.1 (private), embeds 93.184.216.34 (public)
            new String[] {"IPv4-mapped", "::ffff:169.254.169.254", "::ffff:127.0.0.1", "::ffff:93.184.216.34"},
            new String[] {"IPv4-compatible", "::169.254.169.254", "::127.0.0.1", "::93.184.216.34"},
            new String[] {"IPv4-translated", "::ffff:0:a9fe:a9fe", "::ffff:0:7f00:1", "::ffff:0:5db8:d822"},
            new String[] {"NAT64", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b::5db8:d822"},
            new String[] {"6to4", "2002:a9fe:a9fe::1", "2002:7f00:1::1", "2002:5db8:d822::1"},
            // Teredo: server in bits 32-63, client (XOR ffffffff) in the last 32 bits
            new String[] {"Teredo client", "2001:0:5db8:d822::5601:5601", "2001:0:5db8:d822::80ff:fffe",
                    "2001:0:5db8:d822::a247:27dd"},
            new String[] {"Teredo server", "2001:0:a9fe:a9fe::a247:27dd", "2001:0:7f00:1::a247:27dd",
                    "2001:0:5db8:d822::a247:27dd"});

    @Test
    void everyIpv4EmbeddedInAnIpv6FormIsCheckedAsThatIpv4() throws Exception {
        for (String[] form : EMBEDDING) {
            Map<String, String> answers = Map.of("forbidden.test", form[1], "private.test", form[2], "public.test", form[3]);
            BrokerTargets dev = new BrokerTargets(true, Set.of(), names(answers));
            BrokerTargets prod = new BrokerTargets(false, Set.of(), names(answers));
            assertEquals("refused", assertThrows(BrokerException.class, () -> dev.resolve("forbidden.test", 1883),
                    form[0] + " " + form[1] + " is refused even where private targets are allowed").kind());
            assertThrows(BrokerException.class, () -> dev.resolve(form[1], 1883), form[0] + " literal " + form[1]);
            assertEquals("refused", assertThrows(BrokerException.class, () -> prod.resolve("private.test", 1883),
                    form[0] + " " + form[2] + " is private").kind());
            assertThrows(BrokerException.class, () -> prod.resolve(form[2], 1883), form[0] + " literal " + form[2]);
            assertArrayEquals(bytes(form[2]), dev.resolve("private.test", 1883).getAddress(),
                    form[0] + ": the checked address is the one returned, to connect to");
            assertEquals(InetAddress.getByName(form[3]), InetAddress.getByAddress(prod.resolve("public.test", 1883).getAddress()),
                    form[0] + " " + form[3] + " embeds a public address: allowed");
        }
    }

    @Test
    void aNameResolvingToTheMappedUnspecifiedAddressIsRefused() {
        BrokerTargets dev = new BrokerTargets(true, Set.of(), names(Map.of("zero.test", "::ffff:0.0.0.0", "multi.test",
                "::ffff:224.0.0.1")));
        assertEquals("refused", assertThrows(BrokerException.class, () -> dev.resolve("zero.test", 1883)).kind());
        assertEquals("refused", assertThrows(BrokerException.class, () -> dev.resolve("multi.test", 1883)).kind());
    }

    @Test
    void everyAnswerOfANameMustPass() {
        BrokerTargets prod = new BrokerTargets(false, Set.of(), host -> new InetAddress[] {
                InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.1")});
        assertThrows(BrokerException.class, () -> prod.resolve("mixed.test", 1883));
    }

    @Test
    void theAllowListOpensExactlyTheListedAddressAndPort() throws Exception {
        Map<String, String> dns = new HashMap<>(Map.of("broker.internal", "10.0.0.7", "rebind.test", "10.0.0.7",
                "other.test", "10.0.0.8"));
        BrokerTargets.Resolver resolver = names(dns);
        BrokerTargets prod = new BrokerTargets(false, BrokerTargets.allowList("127.0.0.1:1883, broker.internal:8883 [::1]:1884",
                resolver), resolver);
        assertEquals("127.0.0.1", prod.resolve("127.0.0.1", 1883).getHostAddress());
        assertThrows(BrokerException.class, () -> prod.resolve("127.0.0.1", 5432), "another port of a listed address");
        assertEquals("10.0.0.7", prod.resolve("broker.internal", 8883).getHostAddress());
        assertEquals("10.0.0.7", prod.resolve("rebind.test", 8883).getHostAddress(),
                "entries are addresses: any name that resolves to a listed address and port reaches it");
        assertThrows(BrokerException.class, () -> prod.resolve("other.test", 8883), "an unlisted private address");
        dns.put("broker.internal", "10.0.0.8");
        assertThrows(BrokerException.class, () -> prod.resolve("broker.internal", 8883),
                "a listed name whose DNS answer changed later does not open its new address (names are resolved at start)");
        assertTrue(prod.allowed(InetAddress.getByName("::1"), 1884));
        BrokerTargets listsMetadata = new BrokerTargets(false, BrokerTargets.allowList("169.254.169.254:80", resolver), resolver);
        assertThrows(BrokerException.class, () -> listsMetadata.resolve("169.254.169.254", 80),
                "the allow-list never opens link-local, unspecified or multicast addresses");
    }

    @Test
    void aMalformedAllowListEntryIsAConfigurationError() {
        for (String bad : List.of("127.0.0.1", "host:0", "host:99999", ":1883", "[::1:1883")) {
            assertThrows(IllegalArgumentException.class, () -> BrokerTargets.allowList(bad, names(Map.of())), bad);
        }
        assertEquals(Set.of(), BrokerTargets.allowList("", names(Map.of())));
    }

    @Test
    void aNameThatDoesNotResolveIsADnsError() {
        assertEquals("dns", assertThrows(BrokerException.class, () -> development.resolve("no-such-host.invalid", 1883)).kind());
    }

    @Test
    void theShippedDefaultRefusesPrivateTargetsAndAllowingThemIsWarnedAbout() {
        Map<String, String> shipped = io.mqttintegration.runtime.RuntimeHarness.shippedDefaults();
        assertEquals("false", shipped.get("mqtt.allowPrivateTargets"), "etc/mqtt.integration.mqtt.cfg ships the secure default");
        assertEquals("", shipped.get("mqtt.allowedTargets"), "and an empty allow-list");
        assertEquals(null, production.warning());
        assertTrue(development.warning().startsWith("mqtt.allowPrivateTargets is true"), development.warning());
    }
}
