package dev.deepretrieval.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes that readers never see half done: the content goes to a temporary file (or folder) beside the target, then
 * one atomic rename puts it in place. A crash leaves the old file, or none, never a torn one; a failed write removes
 * its temporary file.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** What writes a file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code file} through {@code content}, replacing it atomically; parent folders are created. */
    public static void write(Path file, Content content) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path temporary = Files.createTempFile(parent, "." + absolute.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                content.writeTo(out);
            }
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Writes {@code text} (UTF-8) to {@code file} atomically. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes {@code value} as indented JSON to {@code file} atomically. */
    public static void writeJson(Path file, Object value) throws IOException {
        write(file, out -> JsonMapping.pretty().writeValue(new NonClosing(out), value));
    }

    /**
     * Puts a completed folder in place of {@code target} with one atomic rename (an existing target is deleted
     * first, so a reader sees the old folder, none, or the new one). Both must be on one file system.
     */
    public static void publishFolder(Path completed, Path target) throws IOException {
        if (Files.exists(target)) {
            deleteTree(target);
        }
        Files.move(completed, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Puts a completed folder at {@code target} with one atomic rename unless a folder is there already (another
     * process finished the same work first: for caches whose content depends only on their inputs). The completed
     * folder is left for the caller to delete when it was not used.
     *
     * @return whether the completed folder was put in place
     */
    public static boolean publishFolderIfAbsent(Path completed, Path target) throws IOException {
        try {
            Files.move(completed, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            throw new IOException("the folder must support atomic renames: " + target.getParent(), e);
        } catch (java.nio.file.FileSystemException e) {
            // rename(2) onto a non-empty folder fails with ENOTEMPTY, which Java reports as a plain
            // FileSystemException ("Directory not empty"), not as DirectoryNotEmptyException
            if (Files.isDirectory(target)) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Jackson closes the stream it writes to; the temporary file's stream is closed by {@link #write}. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
