package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.HeaderFields;
import dev.cacheproxy.api.RequestHead;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class RequestNormalizersTest {

    private static RequestHead get(String... fields) {
        return new RequestHead("GET", URI.create("http://h/"), HeaderFields.of(fields));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "gzip, deflate, br, zstd       | br",
        "br;q=1.0, gzip;q=0.8          | br",
        "gzip                          | gzip",
        "br;q=0, gzip                  | gzip",
        "*                             | br",
        "*, br;q=0                     | gzip",
        "identity                      | (none)",
        "gzip;q=0, deflate             | (none)",
        "gzip;q=abc                    | (none)",
    })
    void acceptEncodingBecomesTheFirstPreferredCodingTheClientAccepts(String sent, String normalised) {
        HeaderFields fields = RequestNormalizers.acceptEncoding("br", "gzip").normalize(get("Accept-Encoding", sent));
        assertEquals(normalised, fields.first("Accept-Encoding").orElse("(none)"));
    }

    @Test
    void aRequestWithoutAcceptEncodingIsLeftAlone() {
        assertEquals(HeaderFields.empty(), RequestNormalizers.acceptEncoding("gzip").normalize(get()));
    }

    @Test
    void cookiesAreKeptOrRemovedByName() {
        RequestHead request = get("Cookie", "_ga=1; session=abc", "Cookie", "_gid=2; theme=dark");
        assertEquals(Optional.of("session=abc"), RequestNormalizers.keepOnlyCookies("session").normalize(request).first("Cookie"));
        assertEquals(List.of("session=abc; theme=dark"), RequestNormalizers.removeCookies("_g*").normalize(request).values("Cookie"));
        assertEquals(Optional.empty(), RequestNormalizers.keepOnlyCookies("other").normalize(request).first("Cookie"));
    }

    @Test
    void fieldsAreRemovedOrSetAndNormalizersChain() {
        HeaderFields fields = RequestNormalizers.removeFields("X-Debug")
                .andThen(RequestNormalizers.setField("X-Device", request -> Optional.of("mobile")))
                .normalize(get("X-Debug", "1", "Accept", "*/*"));
        assertEquals(HeaderFields.of("Accept", "*/*", "X-Device", "mobile"), fields);
    }

    @Test
    void theOriginRequestChangesTurnTheClientsFieldsIntoTheNormalisedOnes() {
        HeaderFields client = HeaderFields.of("Accept-Encoding", "gzip, br", "Cookie", "_ga=1", "Accept", "*/*");
        HeaderFields normalized = HeaderFields.of("Accept-Encoding", "br", "Accept", "*/*");

        RequestNormalization.Changes changes = RequestNormalization.changes(client, normalized);

        assertEquals(HeaderFields.of("Accept-Encoding", "br"), changes.set());
        assertEquals(List.of("cookie"), changes.remove());
        HeaderFields.Builder sent = client.toBuilder();
        changes.remove().forEach(sent::remove);
        changes.set().names().forEach(sent::remove);
        sent.addAll(changes.set());
        assertEquals(List.of("*/*"), sent.build().values("Accept"));
        assertEquals(List.of("br"), sent.build().values("Accept-Encoding"));
        assertEquals(false, sent.build().contains("Cookie"));
    }
}
