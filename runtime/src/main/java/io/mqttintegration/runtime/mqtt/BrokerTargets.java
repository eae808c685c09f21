package io.mqttintegration.runtime.mqtt;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Where the service may open outbound connections (SSRF guard). A broker host is resolved once; the
 * connection then goes to that address, so a DNS answer cannot change between the check and the
 * connect. Link-local (cloud metadata among them), unspecified and multicast addresses are always
 * refused; loopback and private ranges unless configuration allows them (the default run does, a
 * production deployment sets {@code mqtt.allowPrivateTargets=false}). Refusals look like any other
 * failed connection to the caller.
 */
public final class BrokerTargets {

    private static final byte[] AWS_METADATA_V6 = {(byte) 0xfd, 0x00, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

    private final boolean allowPrivate;

    public BrokerTargets(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The address to connect to, or a {@link BrokerException} ("dns" or "refused"). */
    public InetAddress resolve(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new BrokerException("dns", "the broker's host name does not resolve");
        }
        for (InetAddress address : addresses) {
            if (!allowed(address)) {
                throw new BrokerException("refused", "the broker refused the connection");
            }
        }
        return addresses[0];
    }

    boolean allowed(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()
                || (a instanceof Inet6Address && Arrays.equals(a.getAddress(), AWS_METADATA_V6))) {
            return false;
        }
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || uniqueLocal(a) || sharedAddressSpace(a)) {
            return allowPrivate;
        }
        return true;
    }

    /** fc00::/7, IPv6's private range (Java's isSiteLocalAddress covers only the old fec0::/10). */
    private static boolean uniqueLocal(InetAddress a) {
        return a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
    }

    /** 100.64.0.0/10, carrier-grade NAT space. */
    private static boolean sharedAddressSpace(InetAddress a) {
        byte[] b = a.getAddress();
        return a instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }
}
