package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.DeviceMessage;
import io.mqttintegration.spi.broker.HostedService;
import io.mqttintegration.spi.broker.QueueFullException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's consumer of the hosted broker's ingest queue, in the same JVM (in-VM, no socket):
 * each of {@code broker.ingest.consumers} threads (a session each) takes what is queued (up to
 * {@code broker.ingest.batch} messages), hands the messages to
 * the ingestion pipeline as one entry (parse, batch, commit: the same path as HTTP and subscriptions),
 * waits for their outcomes, and acknowledges to the broker, in one broker transaction, only the
 * messages that were committed (or kept as dead letters). A message the database did not take is
 * rolled back and redelivered by the broker later (1 s, 2 s, ... 30 s). Until its acknowledgement
 * a message stays in the broker's journal: a crash between the device's PUBACK and the commit loses
 * nothing; it may store a message twice only if the crash falls between the commit and the
 * acknowledgement, and the client message id ({@link HostedMessages}) makes that second copy a no-op.
 */
public final class HostedIngest implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostedIngest.class);

    private final HostedBroker broker;
    private final HostedMessages messages;
    private final HostedService service;
    private final int batch;
    private final int consumers;
    private final long commitTimeoutMs;
    private final List<Thread> threads = new ArrayList<>();
    private final List<ClientSession> sessions = new ArrayList<>();
    private volatile boolean running = true;
    private ServerLocator locator;
    private ClientSessionFactory factory;

    /**
     * @param service  queues messages for the writers ({@link HostedService#store}); may refuse
     *                 them when full ({@link QueueFullException}): then they are offered again shortly
     * @param consumers rounds in flight at once ({@code broker.ingest.consumers}), each its own session and thread:
     *                  while one round waits for its commit, the next is taken and queued
     */
    public HostedIngest(HostedBroker broker, HostedMessages messages, HostedService service,
            int batch, int consumers, long commitTimeoutMs) {
        this.broker = broker;
        this.messages = messages;
        this.service = service;
        this.batch = batch;
        this.consumers = consumers;
        this.commitTimeoutMs = commitTimeoutMs;
    }

    public void start() throws Exception {
        locator = ActiveMQClient.createServerLocatorWithoutHA(broker.inVmConnector());
        factory = locator.createSessionFactory();
        for (int n = 0; n < consumers; n++) {
            String name = "mqtt-integration-broker-ingest-" + n;
            // Transacted acknowledgements: a round's acks go to the journal in one commit.
            ClientSession session = factory.createSession(broker.internalUser(), broker.internalPassword(), false, true, false, false, 0);
            sessions.add(session);
            threads.add(new Thread(() -> run(session), name));
        }
        threads.forEach(Thread::start);
    }

    private void run(ClientSession session) {
        String nodeId = broker.nodeId();
        try (ClientConsumer consumer = session.createConsumer(HostedBroker.INGEST_QUEUE)) {
            session.start();
            while (running) {
                ClientMessage first = consumer.receive(500);
                if (first == null) {
                    continue;
                }
                List<ClientMessage> taken = new ArrayList<>();
                taken.add(first);
                ClientMessage next;
                while (taken.size() < batch && (next = consumer.receiveImmediate()) != null) {
                    taken.add(next);
                }
                try {
                    round(session, taken, nodeId);
                } catch (RuntimeException e) {
                    // The database could not say whose a message is, or the pipeline is stopping:
                    // nothing of the round was acknowledged; the broker delivers it all again.
                    LOG.warn("Hosted messages not handed to the pipeline ({}); the broker delivers them again", e.toString());
                    session.rollback();
                    Thread.sleep(1_000);
                }
            }
        } catch (ActiveMQException e) {
            if (running) {
                LOG.error("The hosted broker's ingest consumer stopped: {}", e.toString(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void round(ClientSession session, List<ClientMessage> all, String nodeId) throws ActiveMQException, InterruptedException {
        List<DeviceMessage> inbound = new ArrayList<>(all.size());
        List<ClientMessage> taken = new ArrayList<>(all.size());
        for (ClientMessage m : all) {
            if (broker.internalUser().equals(m.getValidatedUserID())) {
                // A command the service published into a device's namespace (HostedPublisher): not a
                // device's message, so not stored; acknowledged with the round.
                m.individualAcknowledge();
            } else {
                taken.add(m);
                inbound.add(messages.toMessage(m, nodeId));
            }
        }
        List<CompletableFuture<?>> outcomes = List.of();
        while (running && !inbound.isEmpty()) {
            try {
                outcomes = service.store(inbound);
                break;
            } catch (QueueFullException full) {
                Thread.sleep(100); // the writers are behind: the broker keeps the messages meanwhile
            }
        }
        boolean allStored = outcomes.size() == taken.size();
        for (int i = 0; i < outcomes.size(); i++) {
            CompletableFuture<?> outcome = outcomes.get(i);
            try {
                outcome.get(commitTimeoutMs, TimeUnit.MILLISECONDS);
                taken.get(i).individualAcknowledge();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                allStored = false;
                LOG.warn("A hosted device's message was not stored ({}); the broker delivers it again", e.toString());
            }
        }
        session.commit();
        if (!allStored) {
            // What was not acknowledged goes back to the queue, delivered again after the redelivery delay.
            session.rollback();
        }
    }

    @Override
    public void close() {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(commitTimeoutMs + 2_000);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ClientSession session : sessions) {
            try {
                session.close();
            } catch (ActiveMQException e) {
                LOG.debug("closing an ingest session: {}", e.toString());
            }
        }
        if (factory != null) {
            factory.close();
        }
        if (locator != null) {
            locator.close();
        }
    }
}
