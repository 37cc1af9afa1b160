package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.OptInTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.Stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RotatorStackPropsTest {

    @Test
    void defaults() {
        RotatorStackProps props = RotatorStackProps.builder().build();
        assertEquals(new OptInTag("access-key-rotation", Optional.of("enabled")), props.optInTag());
        assertEquals(new RotationSchedule("rate(1 day)", Duration.ofDays(1)), props.schedule());
        assertEquals("/access-key-rotation/", props.parameterPrefix());
        assertEquals("access-key-rotation/", props.secretNamePrefix());
        assertEquals(Optional.empty(), props.alarmEmail());
        assertEquals("your platform team", props.contact());
        assertEquals(1024, props.memorySize());
        assertEquals(365, props.logRetentionDays());
        assertTrue(Files.isRegularFile(props.functionJar()));
        // The root of whichever account the stack is deployed to.
        assertEquals(Stacks.join("arn:", Stacks.ref("AWS::Partition"), ":iam::", Stacks.ref("AWS::AccountId"), ":root"),
                new Stack().resolve(props.breakGlassPrincipalArn()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/BreakGlass",
            "arn:aws:iam::111122223333:role/admin/BreakGlass", "arn:aws-us-gov:iam::111122223333:user/jane.doe@x",
            "  arn:aws:iam::111122223333:role/BreakGlass  "})
    void acceptsRoleUserAndRootArnsAsBreakGlassPrincipal(String arn) {
        assertEquals(arn.strip(), RotatorStackProps.builder().breakGlassPrincipalArn(arn).build()
                .breakGlassPrincipalArn());
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "arn:aws:iam::111122223333:role/*", "arn:aws:iam::*:root", "111122223333",
            "arn:aws:iam::111122223333:group/admins", "arn:aws:sts::111122223333:assumed-role/Admin/jane",
            "arn:aws:iam::111122223333:role/", "arn:aws:iam::11112222333:root",
            "arn:aws:iam::111122223333:role/path/", "arn:aws:iam::111122223333:role/a b"})
    void rejectsWildcardsAndOtherPrincipalsAsBreakGlassPrincipal(String arn) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.builder().breakGlassPrincipalArn(arn).build());
        assertTrue(error.getMessage().startsWith("breakGlassPrincipalArn '"), error.getMessage());
    }

    @Test
    void aBlankBreakGlassPrincipalMeansTheDefault() {
        assertEquals(RotatorStackProps.builder().build().breakGlassPrincipalArn(),
                RotatorStackProps.builder().breakGlassPrincipalArn(" ").build().breakGlassPrincipalArn());
    }

    @Test
    void optInTagSplitsAtTheFirstEqualsSign() {
        assertEquals(new OptInTag("team", Optional.of("a=b")), OptInTag.parse("team=a=b"));
        assertEquals(new OptInTag("rotate", Optional.empty()), OptInTag.parse("rotate"));
        assertEquals(new OptInTag("rotate", Optional.of("")), OptInTag.parse("rotate="));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=enabled", "aws:rotation=on", "bad*key=1", " padded=1"})
    void rejectsInvalidOptInTags(String tag) {
        assertThrows(IllegalArgumentException.class, () -> RotatorStackProps.builder().optInTag(tag).build());
    }

    @Test
    void rateSchedulesKnowTheirInterval() {
        assertEquals(Duration.ofMinutes(30), RotationSchedule.parse("rate(30 minutes)", Optional.empty()).interval());
        assertEquals(Duration.ofHours(1), RotationSchedule.parse("rate(1 hour)", Optional.empty()).interval());
        assertEquals(Duration.ofDays(2), RotationSchedule.parse("rate(2 days)", Optional.empty()).interval());
        assertEquals(Duration.ofDays(1),
                RotationSchedule.parse("cron(0 6 * * ? *)", Optional.empty()).interval());
        assertEquals(Duration.ofHours(12),
                RotationSchedule.parse("cron(0 6/12 * * ? *)", Optional.of(Duration.ofHours(12))).interval());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rate(1 days)", "rate(2 day)", "rate(0 minutes)", "daily", "cron(0 6 * * ?)",
            "at(2030-01-01T00:00:00)"})
    void rejectsWhatEventBridgeWouldReject(String schedule) {
        assertThrows(IllegalArgumentException.class, () -> RotatorStackProps.builder().schedule(schedule).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"access-key-rotation/", "/", "/no-trailing-slash", "/with space/", "//"})
    void parameterPrefixMustBeAPath(String prefix) {
        assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.builder().parameterPrefix(prefix).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "keys*", "keys?", "with space/"})
    void secretNamePrefixMustBeValidInSecretNamesAndFreeOfWildcards(String prefix) {
        assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.builder().secretNamePrefix(prefix).build());
    }

    @Test
    void rejectsOutOfRangeNumbersAndMalformedEmail() {
        assertThrows(IllegalArgumentException.class, () -> RotatorStackProps.builder().memorySize(256).build());
        assertThrows(IllegalArgumentException.class, () -> RotatorStackProps.builder().memorySize(20000).build());
        assertThrows(IllegalArgumentException.class, () -> RotatorStackProps.builder().logRetentionDays(100).build());
        assertThrows(IllegalArgumentException.class, () -> RotatorStackProps.builder().alarmEmail("ops").build());
        assertThrows(IllegalArgumentException.class, () -> RotatorStackProps.builder()
                .schedule("cron(0 6 * * ? *)").runIntervalHours(0).build());
    }

    @Test
    void contactFallsBackToAlarmEmail() {
        assertEquals("ops@example.com", RotatorStackProps.builder().alarmEmail("ops@example.com").build().contact());
        assertEquals("Jane, ext. 42", RotatorStackProps.builder().alarmEmail("ops@example.com")
                .contact("Jane, ext. 42").build().contact());
    }

    @Test
    void aMissingFunctionJarFailsOnlyWhenAStackAsksForItWithHowToBuildIt() {
        RotatorStackProps props = RotatorStackProps.builder().functionJar("no/such/function.jar").build();
        IllegalStateException error = assertThrows(IllegalStateException.class, props::functionJar);
        assertTrue(error.getMessage().contains("./mvnw -B -q -pl lambda -am package"), error.getMessage());
    }

    @Test
    void aMissingHubJarFailsOnlyWhenAHubStackAsksForItAndSaysHowToBuildIt() {
        RotatorStackProps props = RotatorStackProps.builder().hubJar("no/such/hub.jar").build();
        IllegalStateException error = assertThrows(IllegalStateException.class, props::hubJar);
        assertTrue(error.getMessage().contains("./mvnw -B -q -pl lambda -am package"), error.getMessage());
        assertTrue(error.getMessage().contains("-c hubJar=PATH"), error.getMessage());
    }

    @Test
    void defaultJarsAreTheLambdaModulesTargetUnderTheRepositoryRoot() {
        // Tests run in infra/, one level below the root, like cdk.json's app command.
        Path target = Path.of("").toAbsolutePath().getParent().resolve("lambda/target");
        assertEquals(target.resolve("access-key-rotator.jar"), FunctionJar.defaultLocation());
        assertEquals(target.resolve("access-key-rotator-hub.jar"), FunctionJar.hubDefaultLocation());
    }
}
