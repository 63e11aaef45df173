package dev.cacheproxy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9111 §2: the key of a target URI, whether or not the URI was already written in its normal form. */
final class CacheKeyTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ' ', value = {
            "http://127.0.0.1:24001/obj/1 http://127.0.0.1:24001/obj/1",
            "http://example.com/a?b=1 http://example.com/a?b=1",
            "http://Example.COM:80/a?b http://example.com/a?b",
            "HTTP://h/a http://h/a",
            "http://h http://h/",
            "http://h:8080/p?q=1#fragment http://h:8080/p?q=1",
            "https://h:443/x https://h/x",
            "https://h:8443/x https://h:8443/x",
            "http://user@h/p http://h/p",
            "http://h:/p http://h/p",
            "http://[::1]:8080/p http://[::1]:8080/p",
            "http://h/a%20b?x=%2F&y http://h/a%20b?x=%2F&y",
    })
    void theKeyIsTheNormalisedTargetUri(String target, String key) {
        assertEquals(key, CacheKey.of(URI.create(target)).value());
    }
}
