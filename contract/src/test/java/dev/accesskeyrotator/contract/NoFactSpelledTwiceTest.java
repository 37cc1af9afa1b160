package dev.accesskeyrotator.contract;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No fact the contract owns is spelled in main code outside this module: a parameter, environment variable, metric or
 * namespace, notice attribute or event type, or secret field written as a string literal in the function or the stack
 * would drift from the contract unnoticed (a renamed metric would leave an alarm watching a name nobody emits).
 */
class NoFactSpelledTwiceTest {
    /** Main source roots outside the contract module, relative to its base directory. */
    private static final List<String> SCANNED_ROOTS = List.of("../lambda/src/main/java", "../infra/src/main/java");

    /** A spelling the scan accepts in one file: the file (relative to the repository root), the term and why. */
    private record Allowance(String file, String term, String why) {}

    /**
     * AWS's own names that happen to equal a contract term. Taking them from the contract would tie AWS's wire format
     * to our naming: a renamed secret field would silently change what the function sends to AWS.
     */
    private static final List<Allowance> AWS_NAMES_THAT_COINCIDE = List.of(
            new Allowance("lambda/src/main/java/dev/accesskeyrotator/service/SecretPolicy.java", "Version",
                    "the IAM policy language's \"Version\" element of the secret's resource policy"),
            new Allowance("infra/src/main/java/dev/accesskeyrotator/infra/RotatorApp.java", "AccessKeyRotator",
                    "the CloudFormation stack's name, which shares the product's name with the metric namespace"
                            + " but is not it: a new namespace must not rename (replace) deployed stacks"));

    /**
     * Spellings tolerated for now, each a debt rather than an exception to the rule: remove the entry when the file
     * takes the term from the contract. The scan fails when an entry no longer matches, so none outlives its cause.
     */
    private static final List<Allowance> ALLOWED_FOR_NOW = List.of();

    @Test
    void noContractTermIsSpelledInMainCodeOutsideTheContract() throws IOException {
        Path repository = moduleBaseDirectory().getParent();
        Map<String, String> owners = ContractTerms.all();
        List<Path> files = new ArrayList<>();
        for (String root : SCANNED_ROOTS) {
            try (Stream<Path> walk = Files.walk(moduleBaseDirectory().resolve(root).normalize())) {
                walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
            }
        }
        // An empty or misplaced source root would make the scan pass without looking at anything.
        assertTrue(files.size() > 50, "expected the function's and the stack's sources, found " + files.size());

        List<Allowance> allowances = Stream.concat(AWS_NAMES_THAT_COINCIDE.stream(), ALLOWED_FOR_NOW.stream()).toList();
        List<String> findings = new ArrayList<>();
        Set<Allowance> unusedAllowances = new HashSet<>(allowances);
        for (Path file : files) {
            String relative = repository.relativize(file).toString().replace('\\', '/');
            for (JavaStringLiterals.Literal literal
                    : JavaStringLiterals.extract(Files.readString(file, StandardCharsets.UTF_8))) {
                for (String term : ContractTerms.spelledIn(literal.value(), owners.keySet())) {
                    Optional<Allowance> allowance = allowances.stream()
                            .filter(a -> a.file().equals(relative) && a.term().equals(term)).findFirst();
                    if (allowance.isPresent()) {
                        unusedAllowances.remove(allowance.get());
                    } else {
                        findings.add(relative + ":" + literal.line() + " spells '" + term + "'; use "
                                + owners.get(term));
                    }
                }
            }
        }
        if (!findings.isEmpty()) {
            fail("contract terms spelled outside the contract module:\n  " + String.join("\n  ", findings));
        }
        // A stale allowance would silently tolerate the term coming back.
        assertEquals(Set.of(), unusedAllowances, "allowances that no longer match anything: remove them");
    }

    @Test
    void theMatcherFlagsDistinctiveTermsAsTokensAndPlainWordsOnlyAlone() {
        List<String> terms = List.of("max-key-age-days", "UserName", "SECRET_KMS_KEY_ID", "attention");

        assertEquals(List.of("max-key-age-days"),
                ContractTerms.spelledIn("/access-key-rotation/max-key-age-days", terms));
        assertEquals(List.of("max-key-age-days"), ContractTerms.spelledIn("parameter 'max-key-age-days'", terms));
        assertEquals(List.of("UserName"), ContractTerms.spelledIn("{\"UserName\":\"alice\"}", terms));
        assertEquals(List.of("SECRET_KMS_KEY_ID"), ContractTerms.spelledIn("SECRET_KMS_KEY_ID", terms));
        assertEquals(List.of("attention"), ContractTerms.spelledIn("attention", terms));

        // Part of a longer token, an ordinary word in a sentence, or AWS's own XML element: not ours.
        assertEquals(List.of(), ContractTerms.spelledIn("custom-max-key-age-days-v2", terms));
        assertEquals(List.of(), ContractTerms.spelledIn("UserNames", terms));
        assertEquals(List.of(), ContractTerms.spelledIn("OLD_SECRET_KMS_KEY_ID", terms));
        assertEquals(List.of(), ContractTerms.spelledIn("needs attention", terms));
        assertEquals(List.of(), ContractTerms.spelledIn("<UserName>alice</UserName>", terms));
        // ...but the same element name outside the angle brackets is spelled.
        assertEquals(List.of("UserName"), ContractTerms.spelledIn("<UserName>UserName</UserName>", terms));
    }

    @Test
    void literalsAreReadAsTheCompilerReadsThem() {
        String source = """
                class Planted {
                    // "dry-run" in a line comment is not a literal
                    /* nor "grace-days" in a block comment */
                    char quote = '"';
                    String escaped = "say \\"UserName\\" \\u0041";
                    String block = \"""
                        one
                          two\\
                         three
                        \""";
                    String last = "x";
                }
                """;

        List<JavaStringLiterals.Literal> literals = JavaStringLiterals.extract(source);

        assertEquals(List.of(new JavaStringLiterals.Literal(5, "say \"UserName\" A"),
                new JavaStringLiterals.Literal(6, "one\n  two three\n"),
                new JavaStringLiterals.Literal(11, "x")), literals);
    }

    @Test
    void aPlantedSpellingInSourceIsFound() {
        // End to end through the lexer and the contract's own terms, so the scan above cannot pass by finding nothing.
        String source = "class Planted { String metric = \"" + Metric.ROTATED.metricName() + "\"; "
                + "String path = \"/prefix/" + Parameter.DRY_RUN.parameterName() + "\"; "
                + "String message = \"needs attention\"; }";
        List<String> found = JavaStringLiterals.extract(source).stream()
                .flatMap(l -> ContractTerms.spelledIn(l.value(), ContractTerms.all().keySet()).stream())
                .toList();

        assertEquals(List.of("Rotated", "dry-run"), found);
    }

    /** Maven passes the module's directory; an IDE running the test from the module falls back to the working one. */
    static Path moduleBaseDirectory() {
        return Path.of(System.getProperty("project.basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }
}
