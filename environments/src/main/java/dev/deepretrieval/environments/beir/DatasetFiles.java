package dev.deepretrieval.environments.beir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** Locating dataset files (plain or gzipped) and opening them as strict UTF-8 text. */
public final class DatasetFiles {

    private DatasetFiles() {}

    /** {@code base} itself, or {@code base.gz}, whichever exists (plain first). */
    public static Optional<Path> plainOrGzipped(Path base) {
        if (Files.isRegularFile(base)) {
            return Optional.of(base);
        }
        Path gz = base.resolveSibling(base.getFileName() + ".gz");
        return Files.isRegularFile(gz) ? Optional.of(gz) : Optional.empty();
    }

    /** Opens a text file, decompressing {@code .gz}; malformed UTF-8 is an error, not a replacement character. */
    public static BufferedReader open(Path file) {
        try {
            InputStream in = Files.newInputStream(file);
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            var decoder = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            return new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
        } catch (IOException e) {
            throw new DatasetFormatException(file, 0, "cannot open: " + e.getMessage(), e);
        }
    }

    /** Reads the next line, turning I/O and decoding failures into a {@link DatasetFormatException} at that line. */
    static String readLine(BufferedReader reader, Path file, long lineNumber) {
        try {
            return reader.readLine();
        } catch (CharacterCodingException e) {
            throw new DatasetFormatException(file, lineNumber, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new DatasetFormatException(file, lineNumber, "read failed: " + e.getMessage(), e);
        }
    }

    static void close(BufferedReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
