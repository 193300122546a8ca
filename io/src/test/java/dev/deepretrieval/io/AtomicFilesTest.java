package dev.deepretrieval.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryOne(@TempDir Path folder) throws IOException {
        Path file = folder.resolve("sub/summary.json");
        AtomicFiles.writeJson(file, Map.of("step", 3));
        assertEquals("{\n  \"step\" : 3\n}", Files.readString(file));
        var failure = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write("{\"half".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("disk full", failure.getMessage());
        assertEquals("{\n  \"step\" : 3\n}", Files.readString(file));
        assertEquals(List.of("summary.json"), names(file.getParent()));
        AtomicFiles.writeString(file, "replaced");
        assertEquals("replaced", Files.readString(file));
        assertEquals(List.of("summary.json"), names(file.getParent()));
    }

    @Test
    void foldersArePublishedWholeAndTheFirstCacheBuildWins(@TempDir Path folder) throws IOException {
        Path target = folder.resolve("index");
        Path first = Files.createDirectory(folder.resolve(".first"));
        Files.writeString(first.resolve("COMPLETE"), "1");
        assertTrue(AtomicFiles.publishFolderIfAbsent(first, target));
        Path second = Files.createDirectory(folder.resolve(".second"));
        Files.writeString(second.resolve("COMPLETE"), "2");
        assertFalse(AtomicFiles.publishFolderIfAbsent(second, target));
        assertEquals("1", Files.readString(target.resolve("COMPLETE")));
        AtomicFiles.publishFolder(second, target);
        assertEquals("2", Files.readString(target.resolve("COMPLETE")));
        assertEquals(List.of("index"), names(folder));
        AtomicFiles.deleteTree(target);
        AtomicFiles.deleteTree(target);
        assertEquals(List.of(), names(folder));
    }
}
