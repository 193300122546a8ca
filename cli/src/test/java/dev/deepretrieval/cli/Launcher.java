package dev.deepretrieval.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code ./deepretrieval} as a user runs it, in a process of its own: for tests of signals and fresh JVMs. */
final class Launcher {

    /** The project's root (the tests run in {@code cli/}). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Launcher() {}

    /**
     * The launcher with {@code args}, run in the project's root on this JVM's JDK, without rebuilding (the tests run
     * on what was just built) and without the caller's extra JVM options.
     */
    static ProcessBuilder command(String... args) {
        var command = new ArrayList<String>();
        command.add(ROOT.resolve("deepretrieval").toString());
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().put("DEEPRETRIEVAL_NO_BUILD", "1");
        builder.environment().remove("DEEPRETRIEVAL_JAVA_OPTS");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }
}
