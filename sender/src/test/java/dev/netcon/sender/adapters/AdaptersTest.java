package dev.netcon.sender.adapters;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import dev.netcon.sender.LoopbackReceiverAccess;
import org.apache.logging.log4j.core.config.Configurator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogManager;

import static org.assertj.core.api.Assertions.assertThat;

/** Each adapter, configured the way its framework is, logs through netcon to a loopback socket. */
class AdaptersTest {
    @Test
    void logbackShouldSendLevelLoggerMdcAndStackTrace() throws Exception {
        try (LoopbackReceiverAccess rx = new LoopbackReceiverAccess()) {
            System.setProperty("netcon.test.target", rx.target());
            // The context an application gets from SLF4J, reconfigured from the example file.
            final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
            context.reset();
            final JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(context);
            joran.doConfigure(AdaptersTest.class.getResource("/logback-netcon.xml"));
            assertThat(context.getStatusManager().getCopyOfStatusList()).as("logback configuration status")
                .noneMatch(st -> st.getLevel() >= ch.qos.logback.core.status.Status.WARN);
            final org.slf4j.Logger log = context.getLogger("com.example.Billing");
            org.slf4j.MDC.put("requestId", "r-42");
            log.warn("invoice {} overdue", 17);
            org.slf4j.MDC.clear();
            log.error("payment failed", new IllegalStateException("card declined", new RuntimeException("bank down")));
            log.debug("debug detail");
            context.stop(); // drains and closes the sender
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 3);
            final List<LoopbackReceiverAccess.Received> got = rx.finish();
            assertThat(got.get(0).level()).isEqualTo(4);
            assertThat(got.get(0).text()).isEqualTo("invoice 17 overdue");
            assertThat(got.get(0).dict()).containsEntry("logger", "com.example.Billing").containsEntry("requestId", "r-42")
                .containsEntry("host", "logback-host").containsKey("thread");
            assertThat(got.get(1).level()).isEqualTo(3);
            assertThat(got.get(1).text()).startsWith("payment failed\njava.lang.IllegalStateException: card declined\n")
                .contains("Caused by: java.lang.RuntimeException: bank down");
            assertThat(got.get(2).level()).isEqualTo(7);
        }
    }

    @Test
    void log4j2ShouldSendLevelLoggerContextAndStackTrace() throws Exception {
        try (LoopbackReceiverAccess rx = new LoopbackReceiverAccess()) {
            System.setProperty("netcon.test.target", rx.target());
            final org.apache.logging.log4j.core.LoggerContext context =
                Configurator.initialize("netcon-test", AdaptersTest.class.getResource("/log4j2-netcon.xml").toURI().toString());
            final org.apache.logging.log4j.Logger log = context.getLogger("com.example.Orders");
            org.apache.logging.log4j.ThreadContext.put("tenant", "acme");
            log.info("order {} shipped", 99);
            org.apache.logging.log4j.ThreadContext.clearMap();
            log.fatal("disk gone", new java.io.IOException("EIO"));
            Configurator.shutdown(context);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 2);
            final List<LoopbackReceiverAccess.Received> got = rx.finish();
            assertThat(got.get(0).level()).isEqualTo(6);
            assertThat(got.get(0).text()).isEqualTo("order 99 shipped");
            assertThat(got.get(0).dict()).containsEntry("logger", "com.example.Orders").containsEntry("tenant", "acme")
                .containsEntry("host", "log4j2-host");
            assertThat(got.get(1).level()).isEqualTo(2);
            assertThat(got.get(1).text()).startsWith("disk gone\njava.io.IOException: EIO\n\tat ");
        }
    }

    @Test
    void julShouldSendLevelLoggerAndStackTrace() throws Exception {
        try (LoopbackReceiverAccess rx = new LoopbackReceiverAccess()) {
            final String config = new String(AdaptersTest.class.getResourceAsStream("/jul-netcon.properties").readAllBytes(),
                StandardCharsets.UTF_8).replace("TARGET", rx.target());
            LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)));
            final java.util.logging.Logger log = java.util.logging.Logger.getLogger("com.example");
            log.warning("low memory");
            log.log(java.util.logging.Level.SEVERE, "crash", new ArithmeticException("/ by zero"));
            log.fine("fine detail");
            for (final java.util.logging.Handler h : log.getHandlers()) {
                h.close();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rx.count() == 3);
            final List<LoopbackReceiverAccess.Received> got = rx.finish();
            assertThat(got.get(0).level()).isEqualTo(4);
            assertThat(got.get(0).text()).isEqualTo("low memory");
            assertThat(got.get(0).dict()).containsEntry("logger", "com.example").containsEntry("host", "jul-host");
            assertThat(got.get(1).level()).isEqualTo(3);
            assertThat(got.get(1).text()).startsWith("crash\njava.lang.ArithmeticException: / by zero\n\tat ");
            assertThat(got.get(2).level()).isEqualTo(7);
            LogManager.getLogManager().reset();
        }
    }
}
