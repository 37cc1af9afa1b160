package dev.accesskeyrotator.docs;

import dev.accesskeyrotator.docs.MarkdownPages.Page;
import dev.accesskeyrotator.docs.MarkdownPages.Paragraph;
import dev.accesskeyrotator.docs.MarkdownPages.Table;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The comparisons the doc tests make, kept free of what they compare with, so each can be shown to catch a planted
 * drift: a table's names against a set from the code, a count in prose against a number from the code, a list in
 * prose against the whole set. Each returns the problems found, naming file, line, table or sentence and the
 * difference; an empty list means the docs agree.
 */
final class DocFacts {
    private static final Map<String, Integer> NUMBER_WORDS = Map.ofEntries(Map.entry("one", 1), Map.entry("two", 2),
            Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6),
            Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10),
            Map.entry("eleven", 11), Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14),
            Map.entry("fifteen", 15), Map.entry("sixteen", 16));
    private static final String NUMBER = "(\\d+|" + String.join("|", NUMBER_WORDS.keySet()) + ")";

    private DocFacts() {}

    static int number(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return NUMBER_WORDS.containsKey(lower) ? NUMBER_WORDS.get(lower) : Integer.parseInt(lower);
    }

    /**
     * Every table whose first header cell is {@code firstHeader} must name exactly {@code expected} in its first
     * column (backticked), in that order when {@code ordered}. At least one such table must exist.
     */
    static List<String> tablesNaming(List<Page> pages, String firstHeader, List<String> expected, boolean ordered,
                                     String what) {
        List<String> problems = new ArrayList<>();
        int found = 0;
        for (Page page : pages) {
            for (Table table : page.tables()) {
                if (!table.header().get(0).equals(firstHeader)) {
                    continue;
                }
                found++;
                List<String> documented = table.firstColumnNames();
                boolean same = ordered ? documented.equals(expected)
                        : new TreeSet<>(documented).equals(new TreeSet<>(expected))
                        && documented.size() == new LinkedHashSet<>(documented).size();
                if (!same) {
                    problems.add(table.where() + " lists " + what + " " + documented + ", the code has " + expected
                            + difference(documented, expected));
                }
            }
        }
        if (found == 0) {
            problems.add("no table with first header \"" + firstHeader + "\" lists the " + what);
        }
        return problems;
    }

    /** "{@code six parameters}", "{@code 5 alarms}": every such count in prose must be {@code expected}. */
    static List<String> countsInProse(List<Page> pages, String nounPattern, int expected, String what) {
        Pattern count = Pattern.compile("(?i)\\b" + NUMBER + "\\s+" + nounPattern + "\\b");
        List<String> problems = new ArrayList<>();
        for (Page page : pages) {
            for (int i = 0; i < page.lines().size(); i++) {
                // Line by line, code blocks and tables included: a count is a count wherever it is written.
                Matcher m = count.matcher(page.lines().get(i));
                while (m.find()) {
                    if (number(m.group(1)) != expected) {
                        problems.add(page.at(i) + " (under \"" + page.section(i) + "\") says \"" + m.group()
                                + "\"; there are " + expected + " " + what);
                    }
                }
            }
        }
        return problems;
    }

    /**
     * A paragraph that mentions {@code marker} and names at least {@code threshold} of {@code all} (backticked) lists
     * them: it must name every one, or every one of an accepted subset (e.g. the notices about one user).
     */
    static List<String> listsInProse(List<Page> pages, Collection<String> all, List<Set<String>> acceptedSubsets,
                                     int threshold, String marker, String what) {
        List<String> problems = new ArrayList<>();
        for (Page page : pages) {
            for (Paragraph paragraph : page.paragraphs()) {
                Set<String> named = new TreeSet<>(MarkdownPages.backticked(paragraph.text()));
                named.retainAll(all);
                // Only where the paragraph says what it lists: "attention" is an outcome as well as an event type.
                if (named.size() < threshold || !paragraph.text().contains(marker)) {
                    continue;
                }
                boolean complete = named.containsAll(all)
                        || acceptedSubsets.stream().anyMatch(subset -> named.equals(new TreeSet<>(subset)));
                if (!complete) {
                    problems.add(paragraph.where() + " lists the " + what + " " + named + " but not "
                            + missing(all, named) + ": \"" + shorten(paragraph.text()) + "\"");
                }
            }
        }
        return problems;
    }

    /**
     * "{@code There are five kinds}" next to a list: a number word followed by one of the {@code nouns} in a
     * paragraph that lists things matching {@code listed} must equal how many it lists.
     */
    static List<String> countsNextToLists(List<Page> pages, String nounPattern, Predicate<String> listed,
                                          String what) {
        Pattern count = Pattern.compile("(?i)\\b" + NUMBER + "\\s+" + nounPattern + "\\b");
        List<String> problems = new ArrayList<>();
        for (Page page : pages) {
            for (Paragraph paragraph : page.paragraphs()) {
                Set<String> named = new TreeSet<>(MarkdownPages.backticked(paragraph.text()));
                named.removeIf(listed.negate());
                Matcher m = count.matcher(paragraph.text());
                if (named.size() >= 2 && m.find() && number(m.group(1)) != named.size()) {
                    problems.add(paragraph.where() + " says \"" + m.group() + "\" but lists " + named.size() + " "
                            + what + " " + named);
                }
            }
        }
        return problems;
    }

    static String difference(Collection<String> documented, Collection<String> code) {
        List<String> missing = missing(code, documented);
        List<String> extra = missing(documented, code);
        StringBuilder text = new StringBuilder();
        if (!missing.isEmpty()) {
            text.append("; missing from the doc: ").append(missing);
        }
        if (!extra.isEmpty()) {
            text.append("; in the doc but not in the code: ").append(extra);
        }
        if (missing.isEmpty() && extra.isEmpty()) {
            text.append("; same names, another order or a name twice");
        }
        return text.toString();
    }

    private static List<String> missing(Collection<String> all, Collection<String> present) {
        return all.stream().filter(name -> !present.contains(name)).toList();
    }

    private static String shorten(String text) {
        return text.length() <= 160 ? text : text.substring(0, 157) + "...";
    }
}
