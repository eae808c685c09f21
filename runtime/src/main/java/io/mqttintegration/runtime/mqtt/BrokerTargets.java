package io.mqttintegration.runtime.mqtt;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the service may open outbound connections (SSRF guard). A broker host is resolved once; the
 * connection then goes to that address (see {@link BrokerClients}), so a DNS answer cannot change
 * between the check and the connect. Every answer of a name must pass, and an IPv6 address that
 * carries an IPv4 one (IPv4-mapped, -compatible, -translated, NAT64 64:ff9b::/96, 6to4 2002::/16,
 * Teredo 2001::/32 server and client) passes only if every address it carries passes too.
 * Link-local (cloud metadata among them), unspecified, multicast and reserved addresses are always
 * refused; loopback and private ranges unless {@code allowPrivate} or the allow-list (exact address
 * and port) says otherwise. A refusal is the same {@link BrokerException} as a refused connection.
 */
public final class BrokerTargets {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTargets.class);
    static final String REFUSED = "the broker refused the connection";
    private static final byte[] AWS_METADATA_V6 = {(byte) 0xfd, 0x00, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

    /** Host name to addresses; {@code InetAddress::getAllByName} in production, a map in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private enum Kind { PUBLIC, PRIVATE, FORBIDDEN }

    private final boolean allowPrivate;
    private final Set<InetSocketAddress> allowed;
    private final Resolver resolver;

    public BrokerTargets(boolean allowPrivate) {
        this(allowPrivate, Set.of(), InetAddress::getAllByName);
    }

    /**
     * @param allowed private addresses and ports allowed although {@code allowPrivate} is false
     *                (see {@link #allowList})
     */
    public BrokerTargets(boolean allowPrivate, Set<InetSocketAddress> allowed, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.allowed = Set.copyOf(allowed);
        this.resolver = resolver;
    }

    /**
     * The setting {@code mqtt.allowedTargets}: {@code host:port} entries ({@code [v6]:port} for IPv6),
     * separated by commas or blanks. A name is resolved now, once: the list holds addresses, so a
     * later DNS answer for that name (a rebind) opens nothing new; any host name a tenant gives that
     * resolves to a listed address and port reaches it. A name that does not resolve now is skipped
     * with a warning; a malformed entry is a configuration error.
     */
    public static Set<InetSocketAddress> allowList(String spec, Resolver resolver) {
        Set<InetSocketAddress> list = new LinkedHashSet<>();
        if (spec == null) {
            return list;
        }
        for (String entry : spec.trim().split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            String host = colon > 0 ? entry.substring(0, colon) : "";
            if (host.startsWith("[") != host.endsWith("]") || (!host.startsWith("[") && host.contains(":"))) {
                host = "";
            }
            host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(entry.substring(colon + 1)) : 0;
            } catch (NumberFormatException e) {
                port = 0;
            }
            if (host.isEmpty() || port < 1 || port > 65_535) {
                throw new IllegalArgumentException("configuration key 'mqtt.allowedTargets': '" + entry
                        + "' is not host:port (IPv6 as [address]:port)");
            }
            try {
                for (InetAddress a : resolver.resolve(host)) {
                    list.add(new InetSocketAddress(a, port));
                }
            } catch (UnknownHostException e) {
                LOG.warn("mqtt.allowedTargets: {} does not resolve now; the entry allows nothing until the next start", host);
            }
        }
        return list;
    }

    /** The startup warning when private targets are open to every tenant, or null. */
    public String warning() {
        return allowPrivate ? "mqtt.allowPrivateTargets is true: any tenant may make this service connect to loopback and"
                + " private addresses (this host, your network). Set it false and list your own brokers in mqtt.allowedTargets"
                + " unless this is a development machine." : null;
    }

    /**
     * The address to connect to, or a {@link BrokerException}: "dns" when the name does not resolve,
     * "refused" (worded like a refused connection) when an answer may not be reached.
     */
    public InetAddress resolve(String host, int port) {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new BrokerException("dns", "the broker's host name does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new BrokerException("dns", "the broker's host name does not resolve");
        }
        for (InetAddress address : addresses) {
            if (!allowed(address, port)) {
                throw new BrokerException("refused", REFUSED);
            }
        }
        return addresses[0];
    }

    boolean allowed(InetAddress a, int port) {
        return switch (kind(a)) {
            case PUBLIC -> true;
            case PRIVATE -> allowPrivate || allowed.contains(new InetSocketAddress(a, port));
            case FORBIDDEN -> false;
        };
    }

    /** The most restrictive kind of the address and of every IPv4 address it carries. */
    private static Kind kind(InetAddress a) {
        Kind kind = a instanceof Inet4Address ? kind4(a.getAddress()) : kind6(a.getAddress());
        for (byte[] v4 : embedded(a)) {
            Kind inner = kind4(v4);
            if (inner.ordinal() > kind.ordinal()) {
                kind = inner;
            }
        }
        return kind;
    }

    /** The IPv4 addresses an IPv6 address carries (none for an IPv4 address). */
    static List<byte[]> embedded(InetAddress a) {
        List<byte[]> list = new ArrayList<>();
        byte[] b = a.getAddress();
        if (b.length != 16) {
            return list;
        }
        if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            list.add(Arrays.copyOfRange(b, 12, 16)); // ::ffff:a.b.c.d, IPv4-mapped
        } else if (zero(b, 0, 12) && !(zero(b, 12, 15) && b[15] <= 1)) {
            list.add(Arrays.copyOfRange(b, 12, 16)); // ::a.b.c.d, IPv4-compatible (not :: nor ::1)
        } else if (zero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && zero(b, 10, 12)) {
            list.add(Arrays.copyOfRange(b, 12, 16)); // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
        } else if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && zero(b, 4, 12)) {
            list.add(Arrays.copyOfRange(b, 12, 16)); // 64:ff9b::/96, NAT64
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            list.add(Arrays.copyOfRange(b, 2, 6)); // 2002:AABB:CCDD::/48, 6to4
        } else if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            list.add(Arrays.copyOfRange(b, 4, 8)); // Teredo server
            byte[] client = Arrays.copyOfRange(b, 12, 16);
            for (int i = 0; i < 4; i++) {
                client[i] = (byte) ~client[i]; // Teredo client, stored inverted
            }
            list.add(client);
        }
        return list;
    }

    private static Kind kind4(byte[] b) {
        int o1 = b[0] & 0xff;
        int o2 = b[1] & 0xff;
        if (o1 == 0 || (o1 == 169 && o2 == 254) || o1 >= 224) {
            return Kind.FORBIDDEN; // this network, link-local, multicast, reserved and broadcast
        }
        if (o1 == 127 || o1 == 10 || (o1 == 172 && (o2 & 0xf0) == 16) || (o1 == 192 && o2 == 168)
                || (o1 == 100 && (o2 & 0xc0) == 64) || (o1 == 192 && o2 == 0 && b[2] == 0) || (o1 == 198 && (o2 & 0xfe) == 18)) {
            return Kind.PRIVATE; // loopback, RFC 1918, carrier-grade NAT, IETF protocol assignments, benchmarking
        }
        return Kind.PUBLIC;
    }

    private static Kind kind6(byte[] b) {
        if (zero(b, 0, 16) || (b[0] & 0xff) == 0xff || ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80)
                || Arrays.equals(b, AWS_METADATA_V6)) {
            return Kind.FORBIDDEN; // unspecified, multicast, link-local, EC2 metadata
        }
        if ((zero(b, 0, 15) && b[15] == 1) || (b[0] & 0xfe) == 0xfc || ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0)
                || (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0 && b[5] == 1)) {
            return Kind.PRIVATE; // loopback, unique local fc00::/7, site-local fec0::/10, local NAT64 64:ff9b:1::/48
        }
        return Kind.PUBLIC;
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
