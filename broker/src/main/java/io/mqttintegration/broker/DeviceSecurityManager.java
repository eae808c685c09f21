package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.DisconnectReason;
import io.mqttintegration.spi.broker.Refusal;
import io.mqttintegration.spi.broker.DeviceNamespace;
import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.spi.broker.HostedService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.Subject;
import org.apache.activemq.artemis.api.core.ActiveMQConnectionTimedOutException;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.core.remoting.FailureListener;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnection;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager5;
import org.apache.activemq.artemis.spi.core.security.jaas.RolePrincipal;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artemis' security manager for the hosted broker. Authentication: an MQTT client is a device
 * ({@link HostedService}); the service's own in-VM consumer is the one internal user, with a
 * random password that lives only in this JVM, accepted only over the in-VM acceptor; any other core
 * client (the cluster acceptor speaks core) is refused, whatever its credentials, except the cluster
 * user, whom Artemis checks itself before this manager. Authorization: a device may send to, subscribe to and
 * make subscription queues on addresses of its own namespace ({@link DeviceNamespace}) only;
 * management, browsing and deleting addresses never.
 */
public final class DeviceSecurityManager implements ActiveMQSecurityManager5 {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSecurityManager.class);
    static final String DEVICE_ROLE = "device";
    static final String INTERNAL_ROLE = "internal";
    private static final Set<CheckType> DEVICE_MAY = EnumSet.of(CheckType.SEND, CheckType.CONSUME, CheckType.CREATE_ADDRESS,
            CheckType.CREATE_NON_DURABLE_QUEUE, CheckType.DELETE_NON_DURABLE_QUEUE, CheckType.CREATE_DURABLE_QUEUE,
            CheckType.DELETE_DURABLE_QUEUE);

    private final HostedService devices;
    private final ConnectedDevices connected;
    private final String internalUser;
    private final byte[] internalPassword;

    /** @param connected where a device that authenticated is admitted, or refused for its organization's cap */
    public DeviceSecurityManager(HostedService devices, ConnectedDevices connected, String internalUser, String internalPassword) {
        this.devices = devices;
        this.connected = connected;
        this.internalUser = internalUser;
        this.internalPassword = internalPassword.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Subject authenticate(String user, String password, RemotingConnection connection, String securityDomain) {
        if (user == null || password == null) {
            return null;
        }
        if (user.equals(internalUser)) {
            // The service's own in-VM consumer; no device has this name (it is not a valid username).
            // In-VM only: never over a socket (the cluster acceptor speaks core too).
            boolean inVm = connection != null && connection.getTransportConnection() instanceof InVMConnection;
            return inVm && MessageDigest.isEqual(internalPassword, password.getBytes(StandardCharsets.UTF_8))
                    ? subject(internalUser, INTERNAL_ROLE) : null;
        }
        // "MQTT" at CONNECT, "MQTT5" after an MQTT 5 CONNECT: only MQTT clients are devices.
        if (connection == null || connection.getProtocolName() == null || !connection.getProtocolName().startsWith("MQTT")) {
            return null;
        }
        // Artemis authenticates the session's user again before each authorization it has not
        // cached: the connection already carries the subject its CONNECT earned (a revoked
        // credential's connection is closed by HostedBroker's check, not here).
        Subject earned = connection.getSubject();
        if (earned != null && user.equals(getUserFromSubject(earned))) {
            return earned;
        }
        Optional<DeviceIdentity> device;
        try {
            device = devices.authenticate(user, password);
        } catch (RuntimeException e) {
            LOG.warn("Device {} could not be authenticated: {}", user, e.getMessage());
            return null;
        }
        if (device.isEmpty()) {
            connected.refused(Refusal.BAD_LOGIN);
            return null;
        }
        // Over its organization's cap: refused here like a bad login, and marked so that DeviceReplies
        // answers CONNACK 151 (Quota exceeded) instead of Artemis' 134.
        try {
            boolean known = connected.device(connection.getID()) != null;
            if (!connected.admit(connection.getID(), device.get(), connection.getClientID(), connection.getRemoteAddress())) {
                LOG.debug("Device {} refused: its organization {} has its cap of connected devices", user, device.get().organizationId());
                return null;
            }
            if (!known) {
                connection.addFailureListener(new Ends(connected, connection.getID()));
            }
        } catch (RuntimeException e) {
            LOG.warn("The limits of device {}'s organization could not be read: {}", user, e.getMessage());
            return null;
        }
        return subject(device.get().username(), DEVICE_ROLE);
    }

    @Override
    public boolean authorize(Subject subject, Set<Role> roles, CheckType checkType, String address) {
        if (subject == null) {
            return false;
        }
        if (!subject.getPrincipals(RolePrincipal.class).isEmpty()
                && subject.getPrincipals(RolePrincipal.class).iterator().next().getName().equals(INTERNAL_ROLE)) {
            return true;
        }
        String user = getUserFromSubject(subject);
        boolean allowed = DEVICE_MAY.contains(checkType) && DeviceNamespace.allows(user, address);
        if (!allowed) {
            // Artemis caches only granted checks: each refused publish or subscription comes here once.
            connected.refused(Refusal.NOT_AUTHORIZED);
            LOG.debug("Device {} refused {} on {}", user, checkType, address);
        }
        return allowed;
    }

    @Override
    public boolean validateUser(String user, String password) {
        throw new UnsupportedOperationException("ActiveMQSecurityManager5: authenticate() is used");
    }

    @Override
    public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
        throw new UnsupportedOperationException("ActiveMQSecurityManager5: authorize() is used");
    }

    /**
     * Tells device presence how a device's connection failed: Artemis' check of the connection's TTL
     * (one and a half times the device's keep-alive) fails it with a timeout; anything else (the
     * socket closed or broke) is a lost connection. A reason marked before (a DISCONNECT, a takeover,
     * a revocation, a refusal) stays. It also releases the connection: Artemis 2.40's TTL check
     * (RemotingServiceImpl.FailureCheckAndFlushThread) removes an expired connection itself and then
     * fails it, and the broker plugins' afterDestroyConnection is never called for it (measured:
     * without this its device kept its slot of the cap and stayed online).
     */
    private record Ends(ConnectedDevices connected, Object connectionId) implements FailureListener {

        @Override
        public void connectionFailed(ActiveMQException e, boolean failedOver) {
            connected.ending(connectionId, e instanceof ActiveMQConnectionTimedOutException
                    ? DisconnectReason.KEEP_ALIVE_TIMEOUT : DisconnectReason.CONNECTION_LOST);
            connected.release(connectionId);
        }

        @Override
        public void connectionFailed(ActiveMQException e, boolean failedOver, String scaleDownTargetNodeID) {
            connectionFailed(e, failedOver);
        }
    }

    private static Subject subject(String user, String role) {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal(user));
        subject.getPrincipals().add(new RolePrincipal(role));
        return subject;
    }
}
