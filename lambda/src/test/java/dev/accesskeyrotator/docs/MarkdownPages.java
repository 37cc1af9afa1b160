package dev.accesskeyrotator.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * README.md and docs/*.md read the way the doc tests need them: their tables (with the section each sits in), their
 * fenced code blocks, and their prose paragraphs, each with the file and line it starts on, so a failure can say
 * where to look.
 */
final class MarkdownPages {
    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([\\w-]*)\\s*$");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    private MarkdownPages() {}

    record Page(String name, List<String> lines) {
        /** Where line {@code index} (0-based) is, for messages: {@code docs/deploy.md:42}. */
        String at(int index) {
            return name + ":" + (index + 1);
        }

        /** The nearest heading above line {@code index}, without its #s. */
        String section(int index) {
            for (int i = index; i >= 0; i--) {
                String line = lines.get(i);
                if (line.startsWith("#") && !insideFence(i)) {
                    return line.replaceFirst("^#+\\s*", "").strip();
                }
            }
            return "(top)";
        }

        private boolean insideFence(int index) {
            boolean inside = false;
            for (int i = 0; i < index; i++) {
                if (FENCE.matcher(lines.get(i)).matches() || lines.get(i).strip().startsWith("```")) {
                    inside = !inside;
                }
            }
            return inside;
        }

        List<Table> tables() {
            List<Table> tables = new ArrayList<>();
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                    continue;
                }
                boolean header = !fenced && line.startsWith("|") && i + 1 < lines.size()
                        && lines.get(i + 1).matches("^\\|(\\s*:?-+:?\\s*\\|)+\\s*$");
                if (header) {
                    List<List<String>> rows = new ArrayList<>();
                    int row = i + 2;
                    for (; row < lines.size() && lines.get(row).startsWith("|"); row++) {
                        rows.add(cells(lines.get(row)));
                    }
                    tables.add(new Table(this, i, cells(line), rows));
                    i = row - 1;
                }
            }
            return tables;
        }

        List<CodeBlock> codeBlocks() {
            List<CodeBlock> blocks = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                Matcher open = FENCE.matcher(lines.get(i));
                if (open.matches()) {
                    int end = i + 1;
                    while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                        end++;
                    }
                    blocks.add(new CodeBlock(this, i, open.group(1), lines.subList(i + 1, Math.min(end,
                            lines.size()))));
                    i = end;
                }
            }
            return blocks;
        }

        /** Prose paragraphs (and list items), outside code blocks and tables, each joined into one line. */
        List<Paragraph> paragraphs() {
            List<Paragraph> paragraphs = new ArrayList<>();
            boolean fenced = false;
            StringBuilder text = new StringBuilder();
            int start = -1;
            for (int i = 0; i <= lines.size(); i++) {
                String line = i < lines.size() ? lines.get(i) : "";
                boolean fence = line.strip().startsWith("```");
                boolean breaks = fenced || fence || line.isBlank() || line.startsWith("|") || line.startsWith("#")
                        || line.matches("^\\s*([-*]|\\d+\\.)\\s.*");
                if (breaks && start >= 0) {
                    paragraphs.add(new Paragraph(this, start, text.toString().strip()));
                    text.setLength(0);
                    start = -1;
                }
                if (fence) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced || line.isBlank() || line.startsWith("|") || line.startsWith("#")) {
                    continue;
                }
                if (start < 0) {
                    start = i;
                }
                text.append(line.strip()).append(' ');
            }
            return paragraphs;
        }

        private static List<String> cells(String row) {
            String inner = row.strip();
            inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
            List<String> cells = new ArrayList<>();
            // A | inside backticks (as in `a|b`) is text, not a column break.
            StringBuilder cell = new StringBuilder();
            boolean code = false;
            for (char c : inner.toCharArray()) {
                if (c == '`') {
                    code = !code;
                }
                if (c == '|' && !code) {
                    cells.add(cell.toString().strip());
                    cell.setLength(0);
                } else {
                    cell.append(c);
                }
            }
            cells.add(cell.toString().strip());
            return cells;
        }
    }

    record Table(Page page, int line, List<String> header, List<List<String>> rows) {
        String where() {
            return page.at(line) + " (table under \"" + page.section(line) + "\", header " + header + ")";
        }

        /** The first column's backticked names, row by row (a row may name several: `A`, `B`). */
        List<String> firstColumnNames() {
            return rows.stream().flatMap(row -> backticked(row.get(0)).stream()).toList();
        }

        List<String> column(int index) {
            return rows.stream().map(row -> index < row.size() ? row.get(index) : "").toList();
        }
    }

    record CodeBlock(Page page, int line, String language, List<String> body) {
        String where() {
            return page.at(line) + " (```" + language + " block under \"" + page.section(line) + "\")";
        }

        /**
         * The block's commands: comment lines dropped, {@code \}-continued lines (and PowerShell's backtick) joined,
         * a trailing {@code # comment} removed.
         */
        List<String> commands() {
            List<String> commands = new ArrayList<>();
            StringBuilder command = new StringBuilder();
            for (String raw : body) {
                String line = raw.strip();
                if (command.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                    continue;
                }
                boolean continues = line.endsWith("\\") || line.endsWith(" `");
                command.append(continues ? line.substring(0, line.length() - 1).strip() : line).append(' ');
                if (!continues) {
                    commands.add(withoutComment(command.toString().strip()));
                    command.setLength(0);
                }
            }
            if (!command.isEmpty()) {
                commands.add(withoutComment(command.toString().strip()));
            }
            // A line that starts with a pipe continues the command before it.
            List<String> joined = new ArrayList<>();
            for (String c : commands) {
                if (c.startsWith("|") && !joined.isEmpty()) {
                    joined.set(joined.size() - 1, joined.get(joined.size() - 1) + " " + c);
                } else {
                    joined.add(c);
                }
            }
            return joined;
        }

        private static String withoutComment(String command) {
            // Only a # after whitespace and outside quotes starts a comment.
            boolean single = false;
            boolean dbl = false;
            for (int i = 0; i < command.length(); i++) {
                char c = command.charAt(i);
                if (c == '\'' && !dbl) {
                    single = !single;
                } else if (c == '"' && !single) {
                    dbl = !dbl;
                } else if (c == '#' && !single && !dbl && i > 0 && Character.isWhitespace(command.charAt(i - 1))) {
                    return command.substring(0, i).strip();
                }
            }
            return command;
        }
    }

    record Paragraph(Page page, int line, String text) {
        String where() {
            return page.at(line) + " (under \"" + page.section(line) + "\")";
        }
    }

    static List<String> backticked(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** The repository root: the directory holding README.md and .ci/. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.exists(dir.resolve(".ci"))) {
            dir = dir.getParent();
            if (dir == null) {
                throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
            }
        }
        return dir;
    }

    /** README.md and every docs/*.md, in name order. */
    static List<Page> all() {
        Path root = root();
        List<Page> pages = new ArrayList<>();
        pages.add(read(root, "README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted()
                    .forEach(p -> pages.add(read(root, "docs/" + p.getFileName())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    static Page read(Path root, String name) {
        try {
            return new Page(name, Files.readAllLines(root.resolve(name), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A page from text, for the tests that plant a drift to show it is caught. */
    static Page of(String name, String text) {
        return new Page(name, text.lines().toList());
    }
}
