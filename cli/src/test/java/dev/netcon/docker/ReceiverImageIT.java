package dev.netcon.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The netcon image as an operator runs it: built from docker/Dockerfile, started
 * with its default command, fed netconsole frames over UDP on the docker bridge
 * (Testcontainers maps only TCP ports, so the test sends to the container's
 * bridge address, which is local to this machine), and checked through its
 * HTTP endpoints and the files in its data volume.
 */
class ReceiverImageIT {
    private static final int UDP_PORT = 6666;
    private static final int HTTP_PORT = 9666;
    private static final String DATA_DIR = "/var/lib/netcon";
    private static final String HOST = "it-image";
    private static final int RECORDS = 5;

    private String image;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Per test, not @BeforeAll, so that a missing engine shows as skipped tests, not none. */
    @BeforeEach
    void buildImage() throws Exception {
        DockerSupport.assumeDocker();
        image = DockerSupport.image();
    }

    @Test
    void imageRunsAsNonRootWithTheAgronaExportAndDeclaresPortsAndVolume() {
        DockerClient docker = DockerClientFactory.instance().client();
        InspectImageResponse inspected = docker.inspectImageCmd(image).exec();
        var config = inspected.getConfig();

        assertThat(config.getUser()).isNotBlank().doesNotStartWith("0").isNotEqualTo("root");
        assertThat(config.getEntrypoint()).containsSubsequence(
            "java", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-jar", "/opt/netcon/netcon.jar");
        assertThat(config.getCmd()).startsWith("receive");
        assertThat(Arrays.stream(config.getExposedPorts()).map(Object::toString))
            .contains("6666/udp", "9666/tcp");
        assertThat(config.getVolumes()).containsKey(DATA_DIR);
    }

    @Test
    void javaInTheImageIsAJava17Runtime() {
        try (GenericContainer<?> java = new GenericContainer<>(DockerImageName.parse(image))
                 .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("java"))
                 .withCommand("-version")
                 .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            DockerSupport.start(java, "java -version");
            assertThat(java.getLogs()).contains("version \"17");
        }
    }

    @Test
    void nettysNativeEpollTransportLoadsInTheImage() throws Exception {
        Path probe = Paths.get(EpollProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve(EpollProbe.class.getName().replace('.', '/') + ".class");
        try (GenericContainer<?> java = new GenericContainer<>(DockerImageName.parse(image))
                 .withCopyToContainer(MountableFile.forHostPath(probe, 0644),
                     "/tmp/probe/" + EpollProbe.class.getName().replace('.', '/') + ".class")
                 .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("java"))
                 .withCommand("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                     "-cp", "/opt/netcon/netcon.jar:/tmp/probe", EpollProbe.class.getName())
                 .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            DockerSupport.start(java, "the epoll probe");
            String logs = java.getLogs();
            assumeFalse(logs.contains("no netty epoll classes"), "the netcon jar has no Netty epoll transport yet");
            assertThat(logs).contains("epoll: available");
        }
    }

    @Test
    void entrypointRunsTheCli() {
        try (GenericContainer<?> help = new GenericContainer<>(DockerImageName.parse(image))
                 .withCommand("--help")
                 .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            DockerSupport.start(help, "netcon --help");
            assertThat(help.getLogs()).contains("Usage: netcon");
        }
    }

    @Test
    void receiverWithDefaultCommandPersistsFramesSurvivesGarbageAndStopsOnSigterm() throws Exception {
        DockerSupport.assumeSubcommands(image, "receive");
        try (GenericContainer<?> receiver = new GenericContainer<>(DockerImageName.parse(image))
                 .withExposedPorts(HTTP_PORT)
                 .waitingFor(Wait.forHttp("/healthz").forPort(HTTP_PORT).forStatusCode(200)
                     .withStartupTimeout(Duration.ofSeconds(45)))) {
            DockerSupport.start(receiver, "the receiver (default command)");
            InetSocketAddress target = new InetSocketAddress(bridgeAddress(receiver), UDP_PORT);

            List<String> texts = new ArrayList<>();
            try (DatagramSocket socket = new DatagramSocket()) {
                sendGarbage(socket, target);
                for (int seq = 0; seq < RECORDS; seq++) {
                    String text = "image test record " + seq + " nonce " + System.nanoTime();
                    texts.add(text);
                    byte[] frame = (6 + "," + seq + "," + (1_000_000L + seq) + ",-;" + text + "\n host=" + HOST)
                        .getBytes(StandardCharsets.US_ASCII);
                    socket.send(new DatagramPacket(frame, frame.length, target));
                }
            }

            String hostFiles = "find " + DATA_DIR + " -path '*" + HOST + "*' -type f -exec cat {} +";
            DockerSupport.await(Duration.ofSeconds(30),
                () -> "all " + RECORDS + " records in files under " + DATA_DIR + "; have:\n"
                    + exec(receiver, "find " + DATA_DIR + " -type f -exec ls -l {} +; " + hostFiles)
                    + "\nlogs:\n" + receiver.getLogs(),
                () -> texts.stream().allMatch(exec(receiver, hostFiles)::contains));

            assertThat(get(receiver, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> stats = get(receiver, "/stats");
            assertThat(stats.statusCode()).isEqualTo(200);
            assertThat(stats.body()).contains(HOST);
            HttpResponse<String> metrics = get(receiver, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).isNotBlank();
            assertThat(receiver.getLogs()).as("bad input must not print stack traces").doesNotContain("\tat ");

            DockerClient docker = DockerClientFactory.instance().client();
            long startNs = System.nanoTime();
            docker.stopContainerCmd(receiver.getContainerId()).withTimeout(20).exec();
            Duration stopping = Duration.ofNanos(System.nanoTime() - startNs);
            Long exitCode = docker.inspectContainerCmd(receiver.getContainerId()).exec().getState().getExitCodeLong();
            assertThat(exitCode).as("exit code after SIGTERM (137 = killed after the grace period)")
                .isIn(0L, 143L);
            assertThat(stopping).isLessThan(Duration.ofSeconds(20));
        }
    }

    private static String bridgeAddress(GenericContainer<?> container) {
        return container.getContainerInfo().getNetworkSettings().getNetworks().values().stream()
            .map(ContainerNetwork::getIpAddress)
            .filter(ip -> ip != null && !ip.isEmpty())
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("container has no bridge address"));
    }

    /** Datagrams no sender should produce: random bytes, an empty one, broken headers. */
    private static void sendGarbage(DatagramSocket socket, InetSocketAddress target) throws IOException {
        Random random = new Random(42);
        List<byte[]> garbage = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] bytes = new byte[1 + random.nextInt(1200)];
            random.nextBytes(bytes);
            garbage.add(bytes);
        }
        garbage.add(new byte[0]);
        garbage.add("6,notanumber,1,-;x".getBytes(StandardCharsets.US_ASCII));
        garbage.add("6,1,2,-,ncfrag=900/10;x".getBytes(StandardCharsets.US_ASCII));
        for (byte[] bytes : garbage) {
            socket.send(new DatagramPacket(bytes, bytes.length, target));
        }
    }

    private HttpResponse<String> get(GenericContainer<?> container, String path) throws Exception {
        URI uri = URI.create("http://" + container.getHost() + ":" + container.getMappedPort(HTTP_PORT) + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String exec(GenericContainer<?> container, String script) {
        try {
            ExecResult result = container.execInContainer("sh", "-c", script);
            return result.getStdout() + result.getStderr();
        } catch (IOException e) {
            return "exec failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
