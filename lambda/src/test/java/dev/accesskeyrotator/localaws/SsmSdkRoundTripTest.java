package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.GetParametersResponse;
import software.amazon.awssdk.services.ssm.model.InvalidAllowedPatternException;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterPatternMismatchException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ValidationException;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The SSM emulator through a real SDK v2 client: the SDK must parse every answer and error into its model types. */
class SsmSdkRoundTripTest {

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    @Test
    void putThenGetParsesEveryParameterField() {
        SsmClient ssm = local.ssmClient();
        local.aws().clock().advance(Duration.ofMillis(250));

        long version = ssm.putParameter(r -> r.name("/rotator/alice").value("s3cret").type(ParameterType.SECURE_STRING))
                .version();
        Parameter parameter = ssm.getParameter(r -> r.name("/rotator/alice").withDecryption(true)).parameter();

        assertEquals(1, version);
        assertEquals("s3cret", parameter.value());
        assertEquals(ParameterType.SECURE_STRING, parameter.type());
        assertEquals(1L, parameter.version());
        assertEquals(local.aws().clock().instant(), parameter.lastModifiedDate());
        assertEquals("arn:aws:ssm:us-east-1:123456789012:parameter/rotator/alice", parameter.arn());
        assertEquals("text", parameter.dataType());
    }

    @Test
    void errorsBecomeTheModeledExceptions() {
        SsmClient ssm = local.ssmClient();
        ssm.putParameter(r -> r.name("/p").value("v").type(ParameterType.STRING));

        ParameterNotFoundException notFound =
                assertThrows(ParameterNotFoundException.class, () -> ssm.getParameter(r -> r.name("/missing")));
        assertEquals(400, notFound.statusCode());
        assertThrows(ParameterAlreadyExistsException.class,
                () -> ssm.putParameter(r -> r.name("/p").value("w").type(ParameterType.STRING)));
        assertThrows(ValidationException.class,
                () -> ssm.putParameter(r -> r.name("/q").value("").type(ParameterType.STRING)));
    }

    @Test
    void patternErrorsAndMetadataParseIntoTheModel() {
        SsmClient ssm = local.ssmClient();
        ssm.putParameter(r -> r.name("/cfg/days").value("90").type(ParameterType.STRING).allowedPattern("^[0-9]+$")
                .description("Rotate at this age."));

        ParameterPatternMismatchException mismatch = assertThrows(ParameterPatternMismatchException.class,
                () -> ssm.putParameter(r -> r.name("/cfg/days").value("ninety").overwrite(true)));
        assertEquals(400, mismatch.statusCode());
        assertEquals("Parameter value, cannot be validated against allowedPattern: ^[0-9]+$",
                mismatch.awsErrorDetails().errorMessage());
        assertThrows(InvalidAllowedPatternException.class, () -> ssm.putParameter(r -> r.name("/cfg/bad").value("v")
                .type(ParameterType.STRING).allowedPattern("[unclosed")));

        ParameterMetadata metadata = ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Name")
                .option("Equals").values("/cfg/days"))).parameters().get(0);
        assertEquals("^[0-9]+$", metadata.allowedPattern());
        assertEquals("Rotate at this age.", metadata.description());
        assertEquals(1L, metadata.version());
        assertEquals(ParameterTier.STANDARD, metadata.tier());
        assertEquals(ParameterType.STRING, metadata.type());
    }

    @Test
    void getParametersReportsUnknownNames() {
        SsmClient ssm = local.ssmClient();
        local.aws().ssm().put("/a", "1");

        GetParametersResponse response = ssm.getParameters(r -> r.names("/a", "/nope"));

        assertEquals(List.of("/a"), response.parameters().stream().map(Parameter::name).toList());
        assertEquals(List.of("/nope"), response.invalidParameters());
    }

    @Test
    void pathPaginatorWalksEveryPage() {
        SsmClient ssm = local.ssmClient();
        for (int i = 1; i <= 5; i++) {
            local.aws().ssm().put("/users/u" + i, "key" + i);
        }
        local.aws().ssm().put("/users/nested/deep", "hidden without Recursive");

        List<GetParametersByPathResponse> pages =
                ssm.getParametersByPathPaginator(r -> r.path("/users").maxResults(2)).stream().toList();

        assertEquals(3, pages.size());
        assertEquals(List.of("/users/u1", "/users/u2", "/users/u3", "/users/u4", "/users/u5"),
                pages.stream().flatMap(page -> page.parameters().stream()).map(Parameter::name).toList());
    }
}
