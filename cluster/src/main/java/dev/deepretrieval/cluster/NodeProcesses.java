package dev.deepretrieval.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./deepretrieval node} processes of this installation on 127.0.0.1 (for {@code bench cluster}): each in its
 * own JVM on this JVM's JDK, without rebuilding, logging to {@code <name>.log} in a folder. Closing stops every one
 * (SIGTERM, so each shuts down in order; then SIGKILL for one that has not ended within a minute).
 */
final class NodeProcesses implements AutoCloseable {

    private final Path home;
    private final Path folder;
    private final List<String> settings;
    private final List<Process> started = new ArrayList<>();

    /**
     * @param home the installation (its {@code deepretrieval} launcher)
     * @param settings {@code -D} settings every node gets
     */
    NodeProcesses(Path home, Path folder, List<String> settings) {
        this.home = home;
        this.folder = folder;
        this.settings = List.copyOf(settings);
    }

    /** Starts node {@code name} with {@code roles} on {@code port}, joining through {@code seeds}. */
    Process start(String name, String roles, int port, String seeds, String... more) throws IOException {
        var command = new ArrayList<>(List.of(home.resolve("deepretrieval").toString(), "node", "--roles", roles,
                "--port", String.valueOf(port), "--seed-nodes", seeds,
                "-Ddeepretrieval.cache-dir=" + folder.resolve("cache-" + name)));
        command.addAll(settings);
        command.addAll(List.of(more));
        var builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve(name + ".log").toFile());
        builder.environment().put("DEEPRETRIEVAL_NO_BUILD", "1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** What node {@code name} has printed so far. */
    String log(String name) throws IOException {
        Path file = folder.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        started.forEach(Process::destroy);
        for (Process process : started) {
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
    }
}
