package dev.accesskeyrotator.lambda;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.RotatorFactory;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.IdentityDirectory.NewAccessKey;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.SecretDocument;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * SnapStart priming: before the snapshot, run one complete rotation (discovery, a due user, create, store,
 * disable, notify, report) through the real SDK clients, with every HTTP response served from memory. The
 * restored function then finds marshallers, signers, parsers, Jackson and the service classes loaded and
 * initialized. Nothing leaves the process and no AWS credentials are needed.
 */
final class Priming {
    private static final String ACCOUNT = "000000000000";
    /** Never rotated: the path through CreateSecret. */
    private static final String USER = "priming-user";
    /** Rotated before: the path through GetSecretValue and PutSecretValue. */
    private static final String VETERAN = "priming-veteran";
    private static final String KMS_KEY = "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/priming";

    private Priming() {}

    /** Runs the priming rotation; returns the AWS operations it went through, in order. */
    static List<String> prime() {
        RotatorSettings settings = new RotatorSettings("/priming/", "priming/", "arn:aws:sns:us-east-1:" + ACCOUNT
                + ":priming", Optional.of(KMS_KEY), "priming", 1, Optional.empty(),
                Optional.of("arn:aws:iam::" + ACCOUNT + ":role/priming"), Optional.empty());
        AwsClients.Options options = new AwsClients.Options(Region.US_EAST_1,
                Optional.of(URI.create("http://priming.invalid")),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAPRIMING", "priming")),
                List.of(), AwsClients.defaultRetryStrategy());
        CannedHttpClient http = new CannedHttpClient();
        try (AwsClients clients = new AwsClients(options, http)) {
            RotationService service = RotatorFactory.create(settings, clients, Clock.systemUTC(),
                    new JsonLog(line -> { }, Clock.systemUTC()), pause -> { });
            service.run(RotationService.RunRequest.normal());
        }
        return List.copyOf(http.served);
    }

    /** Answers every call with a minimal, valid AWS response for a one-user account that is due. */
    static final class CannedHttpClient implements SdkHttpClient {
        private static final String OLD_KEY_ID = "AKIAPRIMINGOLDKEY000";
        private static final String NEW_KEY_ID = "AKIAPRIMINGNEWKEY000";
        private static final String VETERAN_KEY_ID = "AKIAPRIMINGVETERAN00";
        /** The first-rotation path confirms by name that the user has no secret yet. */
        private static final String NO_SUCH_SECRET = "{\"__type\":\"ResourceNotFoundException\","
                + "\"message\":\"Secrets Manager can't find the specified secret.\"}";

        private final List<String> served = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    Optional<String> target = request.httpRequest().firstMatchingHeader("X-Amz-Target");
                    String content = body(request);
                    String operation = target.isPresent() ? target.get().substring(target.get().indexOf('.') + 1)
                            : parameter(content, "Action");
                    served.add(operation);
                    // The user never rotated has no secret, then a secret without a value; the run has no records.
                    boolean neverRotated = target.isPresent()
                            && (operation.equals("DescribeSecret") || operation.equals("GetSecretValue"))
                            && (content.contains("priming/" + USER) || content.contains("priming/rotator/"));
                    byte[] body = (neverRotated ? NO_SUCH_SECRET : body(operation, parameter(content, "UserName")))
                            .getBytes(StandardCharsets.UTF_8);
                    SdkHttpResponse response = SdkHttpResponse.builder().statusCode(neverRotated ? 400 : 200)
                            .putHeader("Content-Type", target.isPresent() ? "application/x-amz-json-1.1" : "text/xml")
                            .putHeader("Content-Length", String.valueOf(body.length))
                            .putHeader("x-amzn-ErrorType", neverRotated ? "ResourceNotFoundException" : "")
                            .build();
                    return HttpExecuteResponse.builder().response(response)
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
                }

                @Override
                public void abort() {
                }
            };
        }

        private static String body(HttpExecuteRequest request) throws IOException {
            if (request.contentStreamProvider().isEmpty()) {
                return "";
            }
            try (InputStream in = request.contentStreamProvider().get().newStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        private static String parameter(String form, String name) {
            for (String pair : form.split("&")) {
                if (pair.startsWith(name + "=")) {
                    return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
                }
            }
            return "";
        }

        static String body(String operation, String userName) {
            Instant old = Instant.now().minus(Duration.ofDays(400));
            String now = Instant.now().toString();
            String user = userName.isEmpty() ? USER : userName;
            String oldKeyId = user.equals(VETERAN) ? VETERAN_KEY_ID : OLD_KEY_ID;
            return switch (operation) {
                case "GetParametersByPath" -> "{\"Parameters\":[]}";
                case "ListSecrets" -> "{\"SecretList\":[{\"ARN\":\"" + secretArn(VETERAN) + "\",\"Name\":\"priming/"
                        + VETERAN + "\",\"KmsKeyId\":\"" + KMS_KEY + "\",\"Tags\":[]}]}";
                case "GetSecretValue" -> veteranSecretValue(old);
                case "CreateSecret", "PutSecretValue" -> "{\"ARN\":\"" + secretArn(USER) + "\",\"Name\":\"priming/"
                        + USER + "\",\"VersionId\":\"priming\"}";
                case "GetAccountAuthorizationDetails" -> query(operation, "<UserDetailList>" + userDetail(USER, old)
                        + userDetail(VETERAN, old) + "</UserDetailList><IsTruncated>false</IsTruncated>");
                case "GenerateCredentialReport" -> query(operation, "<State>COMPLETE</State>");
                case "GetCredentialReport" -> query(operation, "<Content>" + Base64.getEncoder().encodeToString(
                        ("user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,"
                                + "access_key_2_last_rotated\n" + USER + ",arn,true," + old + ",false,N/A\n" + VETERAN
                                + ",arn,true," + old + ",false,N/A\n").getBytes(StandardCharsets.UTF_8))
                        + "</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>" + now + "</GeneratedTime>");
                case "ListAccessKeys" -> query(operation, "<AccessKeyMetadata><member><UserName>" + user
                        + "</UserName><AccessKeyId>" + oldKeyId + "</AccessKeyId><Status>Active</Status><CreateDate>"
                        + old + "</CreateDate></member></AccessKeyMetadata><IsTruncated>false</IsTruncated>");
                case "CreateAccessKey" -> query(operation, "<AccessKey><UserName>" + user + "</UserName>"
                        + "<AccessKeyId>" + NEW_KEY_ID + "</AccessKeyId><Status>Active</Status><SecretAccessKey>"
                        + "priming</SecretAccessKey><CreateDate>" + now + "</CreateDate></AccessKey>");
                case "Publish" -> query(operation, "<MessageId>priming</MessageId>");
                case "DescribeSecret" -> "{\"ARN\":\"" + secretArn(VETERAN) + "\",\"Name\":\"priming/" + VETERAN
                        + "\",\"KmsKeyId\":\"" + KMS_KEY + "\",\"Tags\":[]}";
                case "PutResourcePolicy", "TagResource" -> "{}";
                default -> query(operation, "");
            };
        }

        /**
         * The veteran's secret as the rotator wrote it at its last rotation: the document comes from
         * {@link SecretDocument#render}, so priming reads exactly the fields a real secret has.
         */
        private static String veteranSecretValue(Instant created) {
            ObjectNode response = JsonLog.mapper().createObjectNode();
            response.put("ARN", secretArn(VETERAN));
            response.put("Name", "priming/" + VETERAN);
            response.put("SecretString", SecretDocument.render(
                    new NewAccessKey(VETERAN, VETERAN_KEY_ID, "priming", created), null));
            response.put("VersionId", "priming");
            return response.toString();
        }

        private static String userDetail(String name, Instant created) {
            return "<member><UserName>" + name + "</UserName><UserId>AIDA" + name.length() + "</UserId><Arn>arn:aws:iam::"
                    + ACCOUNT + ":user/" + name + "</Arn><Path>/</Path><CreateDate>" + created + "</CreateDate><Tags>"
                    + "<member><Key>access-key-rotation</Key><Value>enabled</Value></member></Tags></member>";
        }

        private static String secretArn(String user) {
            return "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:priming/" + user + "-AbCdEf";
        }

        private static String query(String operation, String result) {
            return "<" + operation + "Response><" + operation + "Result>" + result + "</" + operation + "Result>"
                    + "<ResponseMetadata><RequestId>priming</RequestId></ResponseMetadata></" + operation
                    + "Response>";
        }

        @Override
        public void close() {
        }
    }
}
