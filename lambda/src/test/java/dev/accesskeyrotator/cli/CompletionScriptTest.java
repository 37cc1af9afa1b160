package dev.accesskeyrotator.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The completion script {@code generate-completion} prints, sourced by a real bash as docs/operations.md installs it:
 * it completes the commands, each command's options and an option's allowed values.
 */
class CompletionScriptTest {
    @TempDir
    Path tmp;

    @Test
    void bashCompletesCommandsOptionsAndValues() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is installed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(List.of("generate-completion"), Map.of(), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true));
        assertEquals(0, code);
        Path script = Files.write(tmp.resolve("access-key-rotator.bash"), out.toByteArray());

        assertEquals("credentials", complete(script, "access-key-rotator cr"));
        assertEquals("--output", complete(script, "access-key-rotator run --out"));
        assertEquals("table json", complete(script, "access-key-rotator run --output "));
        assertEquals("table json csv", complete(script, "access-key-rotator status --output "));
        assertEquals("init status", complete(script, "access-key-rotator credentials "));
        assertEquals("--refresh-minutes", complete(script, "access-key-rotator credentials init --ref"));
    }

    /** What bash offers for {@code line} (the word being typed is its last, possibly empty). */
    private static String complete(Path script, String line) throws IOException, InterruptedException {
        String words = String.join(" ", java.util.Arrays.stream(line.split(" ", -1)).map(w -> "'" + w + "'")
                .toList());
        String program = "source '" + script + "'\n"
                + "COMP_WORDS=(" + words + ")\n"
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "COMP_LINE='" + line + "'\n"
                + "COMP_POINT=${#COMP_LINE}\n"
                + "_complete_access-key-rotator 2>/dev/null\n"
                + "echo \"${COMPREPLY[*]}\"\n";
        Process bash = new ProcessBuilder("/bin/bash", "-c", program).redirectErrorStream(false).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        return output;
    }
}
