package dev.accesskeyrotator.service;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialReportTest {
    private static final String HEADER = "user,arn,user_creation_time,access_key_1_active,access_key_1_last_rotated,"
            + "access_key_2_active,access_key_2_last_rotated";
    private static final Instant GENERATED = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void readsKeySlotsPerUser() {
        CredentialReport report = CredentialReport.parse(HEADER + "\n"
                + "<root_account>,arn:aws:iam::1:root,2020-01-01T00:00:00+00:00,false,N/A,false,N/A\n"
                + "alice,arn:aws:iam::1:user/alice,2020-01-01T00:00:00+00:00,true,2026-05-01T10:00:00+00:00,"
                + "false,2026-01-01T00:00:00+00:00\n", GENERATED);
        List<CredentialReport.KeySlot> keys = report.keysOf("alice").orElseThrow();
        assertEquals(List.of(new CredentialReport.KeySlot(true, Instant.parse("2026-05-01T10:00:00Z")),
                new CredentialReport.KeySlot(false, Instant.parse("2026-01-01T00:00:00Z"))), keys);
        assertTrue(report.keysOf("bob").isEmpty());
    }

    @Test
    void quotedUserNamesWithCommasDoNotShiftColumns() {
        CredentialReport report = CredentialReport.parse(HEADER + "\n"
                + "\"ops,team\",\"arn:aws:iam::1:user/ops,team\",2020-01-01T00:00:00+00:00,true,"
                + "2026-05-01T10:00:00+00:00,false,N/A\n", GENERATED);
        assertEquals(1, report.keysOf("ops,team").orElseThrow().size());
    }

    @Test
    void malformedReportsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> CredentialReport.parse("garbage", GENERATED));
        assertThrows(IllegalArgumentException.class, () -> CredentialReport.parse(HEADER + "\nalice,arn,x,maybe,"
                + "2026-05-01T10:00:00+00:00,false,N/A\n", GENERATED));
        assertThrows(IllegalArgumentException.class, () -> CredentialReport.parse(HEADER + "\nalice,arn,x,true\n",
                GENERATED));
    }

    @Test
    void aReportOlderThanFourHoursIsStale() {
        CredentialReport report = CredentialReport.parse(HEADER + "\n", GENERATED);
        assertTrue(!report.isStale(GENERATED.plusSeconds(4 * 3600)));
        assertTrue(report.isStale(GENERATED.plusSeconds(4 * 3600 + 1)));
    }
}
