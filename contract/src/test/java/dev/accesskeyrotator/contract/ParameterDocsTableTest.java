package dev.accesskeyrotator.contract;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The parameters table in docs/operations.md is the catalogue, rendered: the page admins tune the function from cannot
 * describe a parameter, default or range the function does not have.
 */
class ParameterDocsTableTest {
    /** "## The parameters", or a heading that spells a count ("## The six parameters"). */
    private static final Pattern SECTION = Pattern.compile("^## The( \\w+)? parameters\\s*$");
    private static final String HEADER = "| Parameter | Meaning | Default | Allowed |";

    @Test
    void theOperationsTableIsTheCatalogueInItsOrder() throws IOException {
        Path page = NoFactSpelledTwiceTest.moduleBaseDirectory().resolve("../docs/operations.md").normalize();
        List<String> documented = parametersTable(Files.readAllLines(page, StandardCharsets.UTF_8));

        List<String> catalogue = Arrays.stream(Parameter.values()).map(ParameterDocsTableTest::row).toList();

        // Whole lists, so a missing, extra, reordered or reworded row each fails with both tables in the message.
        assertEquals(String.join("\n", catalogue), String.join("\n", documented),
                "docs/operations.md's parameters table must equal the catalogue (contract Parameter) row by row");
    }

    @Test
    void aRowThatDiffersFromTheCatalogueIsNoticed() {
        // The reader above on a planted page, so the comparison cannot pass by reading nothing.
        List<String> page = new ArrayList<>(List.of("# Runbook", "", "## The parameters", "", "Intro.", "", HEADER,
                "|---|---|---|---|"));
        Arrays.stream(Parameter.values()).map(ParameterDocsTableTest::row).forEach(page::add);
        page.addAll(List.of("", "## Next section", "", HEADER, "|---|---|---|---|", "| `other` | x | `1` | y |"));
        assertEquals(Parameter.values().length, parametersTable(page).size());

        page.set(8, page.get(8).replace("integer 1–3650", "integer 1–365"));
        assertFalse(parametersTable(page).equals(Arrays.stream(Parameter.values()).map(ParameterDocsTableTest::row)
                .toList()));
        assertThrows(AssertionError.class, () -> parametersTable(List.of("## The parameters", "no table")));
    }

    /** The catalogue's row: {@code | `name` | meaning | `default` | allowed |}. */
    static String row(Parameter parameter) {
        return "| `" + parameter.parameterName() + "` | " + parameter.meaning() + " | `" + parameter.defaultValue()
                + "` | " + parameter.allowed() + " |";
    }

    /** The rows of the first table under the parameters section's heading, before the next heading. */
    static List<String> parametersTable(List<String> lines) {
        int section = indexOf(lines, 0, line -> SECTION.matcher(line).matches(), "the parameters section");
        int header = indexOf(lines, section + 1, line -> line.strip().equals(HEADER) || line.startsWith("## "),
                "the table header " + HEADER);
        if (!lines.get(header).strip().equals(HEADER)) {
            throw new AssertionError("the parameters section has no table with header " + HEADER);
        }
        List<String> rows = new ArrayList<>();
        // Skip the header and its |---| separator; the table ends at the first line that is not a row.
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            rows.add(lines.get(i).strip());
        }
        return rows;
    }

    private static int indexOf(List<String> lines, int from, java.util.function.Predicate<String> wanted,
                               String what) {
        for (int i = from; i < lines.size(); i++) {
            if (wanted.test(lines.get(i))) {
                return i;
            }
        }
        throw new AssertionError("docs/operations.md: no " + what);
    }
}
