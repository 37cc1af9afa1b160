package dev.accesskeyrotator.cli;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CredentialsFile#withProfile}: one profile's key pair changes; every other line stays as it was. */
class CredentialsFileTest {
    private static final String ID = "AKIANEWKEY0000000002";
    private static final String SECRET = "new/secret+value=";

    private static List<String> update(String file, String profile) {
        return CredentialsFile.withProfile(file.isEmpty() ? List.of() : file.lines().toList(), profile, ID, SECRET);
    }

    @Test
    void aNewFileGetsJustTheProfile() {
        assertEquals(List.of("[ci]", "aws_access_key_id = " + ID, "aws_secret_access_key = " + SECRET),
                update("", "ci"));
    }

    @Test
    void anExistingProfileGetsTheNewPairWithoutItsSessionTokenAndKeepsItsOtherSettings() {
        String file = """
                [default]
                aws_access_key_id = AKIADEFAULT
                aws_secret_access_key = default-secret

                [ci]
                ; comment inside the profile
                aws_access_key_id=AKIAOLD
                region = eu-west-1
                aws_secret_access_key  =  old-secret
                aws_session_token = OLD-TOKEN
                output = json

                [later]
                aws_access_key_id = AKIALATER
                aws_secret_access_key = later-secret
                """;
        assertEquals(List.of(
                "[default]",
                "aws_access_key_id = AKIADEFAULT",
                "aws_secret_access_key = default-secret",
                "",
                "[ci]",
                "; comment inside the profile",
                "region = eu-west-1",
                "output = json",
                "aws_access_key_id = " + ID,
                "aws_secret_access_key = " + SECRET,
                "",
                "[later]",
                "aws_access_key_id = AKIALATER",
                "aws_secret_access_key = later-secret"), update(file, "ci"));
    }

    @Test
    void theLastProfileInTheFileIsReplacedInPlace() {
        String file = "[other]\naws_access_key_id = AKIAOTHER\n[ci]\naws_access_key_id = AKIAOLD\n"
                + "aws_secret_access_key = old\nregion = us-east-1\n";
        assertEquals(List.of("[other]", "aws_access_key_id = AKIAOTHER", "[ci]", "region = us-east-1",
                "aws_access_key_id = " + ID, "aws_secret_access_key = " + SECRET), update(file, "ci"));
    }

    @Test
    void aMissingProfileIsAddedAtTheEndAndOtherSectionsAreUntouched() {
        String file = "# my keys\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n";
        assertEquals(List.of("# my keys", "[default]", "aws_access_key_id = AKIADEFAULT", "aws_secret_access_key = s",
                "", "[ci]", "aws_access_key_id = " + ID, "aws_secret_access_key = " + SECRET), update(file, "ci"));
        // A file ending in a blank line does not get a second one.
        assertEquals(List.of("[default]", "x = 1", "", "[ci]", "aws_access_key_id = " + ID,
                "aws_secret_access_key = " + SECRET), update("[default]\nx = 1\n\n", "ci"));
    }

    @Test
    void onlyTheExactProfileNameMatches() {
        String file = "[ci-old]\naws_access_key_id = AKIACIOLD\n[ ci ]\naws_access_key_id = AKIAOLD\n"
                + "[cix]\naws_access_key_id = AKIACIX\n";
        assertEquals(List.of("[ci-old]", "aws_access_key_id = AKIACIOLD", "[ ci ]", "aws_access_key_id = " + ID,
                "aws_secret_access_key = " + SECRET, "[cix]", "aws_access_key_id = AKIACIX"), update(file, "ci"));
    }

    @Test
    void headersWithTrailingCommentsAreSectionsAsTheSdkReadsThem() {
        // The SDK accepts "[name] # comment" and "[name] ; comment" as profile headers.
        String file = "[ci] # runner\naws_access_key_id = AKIAOLD\naws_secret_access_key = old\n"
                + "aws_session_token = OLD-TOKEN\n[other];keep\naws_access_key_id = AKIAOTHER\n"
                + "aws_secret_access_key = other-secret\n";
        List<String> updated = update(file, "ci");
        assertEquals(List.of("[ci] # runner", "aws_access_key_id = " + ID, "aws_secret_access_key = " + SECRET,
                "[other];keep", "aws_access_key_id = AKIAOTHER", "aws_secret_access_key = other-secret"), updated);

        ProfileFile parsed = ProfileFile.builder().type(ProfileFile.Type.CREDENTIALS)
                .content(new ByteArrayInputStream(String.join("\n", updated).getBytes(StandardCharsets.UTF_8)))
                .build();
        assertEquals(ID, parsed.profile("ci").orElseThrow().property(ProfileProperty.AWS_ACCESS_KEY_ID).orElseThrow());
        assertTrue(parsed.profile("ci").orElseThrow().property(ProfileProperty.AWS_SESSION_TOKEN).isEmpty());
        assertEquals("other-secret", parsed.profile("other").orElseThrow()
                .property(ProfileProperty.AWS_SECRET_ACCESS_KEY).orElseThrow());
    }
}
