package dev.cacheproxy.core;

import static dev.cacheproxy.core.Http.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.CacheKey;
import dev.cacheproxy.api.PathRewrite;
import dev.cacheproxy.api.RequestHead;
import dev.cacheproxy.api.ResponseHead;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9111 §4.4: what a successful unsafe request invalidates. */
final class InvalidationRuleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # method | target URI                    | status | response header lines                                                     | keys invalidated (space separated)
            # unsafe methods with a non-error status invalidate the target
            POST     | http://origin.test/page       | 200    | ''                                                                        | http://origin.test/page
            PUT      | http://origin.test/page       | 204    | ''                                                                        | http://origin.test/page
            DELETE   | http://origin.test/page       | 200    | ''                                                                        | http://origin.test/page
            PATCH    | http://origin.test/page       | 201    | ''                                                                        | http://origin.test/page
            PURGE    | http://origin.test/page       | 200    | ''                                                                        | http://origin.test/page
            get      | http://origin.test/page       | 200    | ''                                                                        | http://origin.test/page
            POST     | http://origin.test/page       | 303    | ''                                                                        | http://origin.test/page
            POST     | http://origin.test/page       | 399    | ''                                                                        | http://origin.test/page
            POST     | HTTP://Origin.Test:80/page?q=1 | 200   | ''                                                                        | http://origin.test/page?q=1
            # not on errors or interim responses
            POST     | http://origin.test/page       | 400    | ''                                                                        | ''
            POST     | http://origin.test/page       | 404    | Location: /items/7                                                        | ''
            POST     | http://origin.test/page       | 500    | ''                                                                        | ''
            POST     | http://origin.test/page       | 100    | ''                                                                        | ''
            # safe methods never
            GET      | http://origin.test/page       | 200    | Location: /items/7                                                        | ''
            HEAD     | http://origin.test/page       | 200    | ''                                                                        | ''
            OPTIONS  | http://origin.test/page       | 200    | ''                                                                        | ''
            TRACE    | http://origin.test/page       | 200    | ''                                                                        | ''
            # Location and Content-Location on the same origin, relative or absolute
            POST     | http://origin.test/page       | 201    | Location: /items/7                                                        | http://origin.test/page http://origin.test/items/7
            POST     | http://origin.test/a/page     | 201    | Location: items/7                                                         | http://origin.test/a/page http://origin.test/a/items/7
            POST     | http://origin.test/page       | 201    | Location: http://origin.test/items/7                                      | http://origin.test/page http://origin.test/items/7
            POST     | http://origin.test/page       | 201    | Location: http://ORIGIN.test:80/items/7                                   | http://origin.test/page http://origin.test/items/7
            POST     | http://origin.test/page       | 200    | Content-Location: /page.json                                              | http://origin.test/page http://origin.test/page.json
            POST     | http://origin.test/page       | 200    | Location: /a && Content-Location: /b                                      | http://origin.test/page http://origin.test/a http://origin.test/b
            POST     | http://origin.test/page       | 200    | Location: /page && Content-Location: http://origin.test/page              | http://origin.test/page
            POST     | https://origin.test/page      | 201    | Location: https://origin.test:443/items/7                                 | https://origin.test/page https://origin.test/items/7
            POST     | http://origin.test:8080/page  | 201    | Location: /items/7                                                        | http://origin.test:8080/page http://origin.test:8080/items/7
            # not on other origins
            POST     | http://origin.test/page       | 201    | Location: http://other.test/items/7                                       | http://origin.test/page
            POST     | http://origin.test/page       | 201    | Location: //other.test/items/7                                            | http://origin.test/page
            POST     | http://origin.test/page       | 201    | Location: https://origin.test/items/7                                     | http://origin.test/page
            POST     | http://origin.test/page       | 201    | Location: http://origin.test:8080/items/7                                 | http://origin.test/page
            POST     | https://origin.test/page      | 201    | Location: http://origin.test/items/7                                      | https://origin.test/page
            POST     | http://origin.test/page       | 201    | Content-Location: http://sub.origin.test/x                                | http://origin.test/page
            POST     | http://origin.test/page       | 201    | Location: http://origin.test/a b                                          | http://origin.test/page
            POST     | http://origin.test/page       | 201    | Location: mailto:someone@origin.test                                      | http://origin.test/page
            """)
    void aSuccessfulUnsafeRequestInvalidatesItsTargetAndSameOriginLocations(String method, String target, int status,
                                                                            String responseHeaders, String keys) {
        RequestHead request = new RequestHead(method, URI.create(target), fields(""));
        List<CacheKey> expected = keys.isEmpty() ? List.of() : List.of(keys.split(" ")).stream().map(CacheKey::new).toList();

        assertEquals(expected, InvalidationRule.keysToInvalidate(request, new ResponseHead(status, fields(responseHeaders))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # client prefix | origin prefix | target URI              | response header lines            | keys invalidated (; separated)
            # the origin writes its own paths: read against the path it was asked for, mapped back to the client's
            /shop           | /store        | http://o.test/shop/cart | Location: /store/item/7          | http://o.test/shop/cart @/shop=/store; http://o.test/shop/item/7 @/shop=/store
            /shop           | /store        | http://o.test/shop/cart | Location: item/7                 | http://o.test/shop/cart @/shop=/store; http://o.test/shop/item/7 @/shop=/store
            /shop           | ''            | http://o.test/shop/cart | Location: /item/7                | http://o.test/shop/cart @/shop=; http://o.test/shop/item/7 @/shop=
            ''              | /v2           | http://o.test/cart      | Content-Location: /v2/cart.json  | http://o.test/cart @=/v2; http://o.test/cart.json @=/v2
            # a path outside the origin prefix is no client path of this route: nothing of it to invalidate
            /shop           | /store        | http://o.test/shop/cart | Location: /shop/item/7           | http://o.test/shop/cart @/shop=/store
            ''              | /v2           | http://o.test/cart      | Location: /v1/cart               | http://o.test/cart @=/v2
            """)
    void behindAPathRewriteLocationsAreMappedBackToTheClientsPaths(String clientPrefix, String originPrefix, String target,
                                                                  String responseHeaders, String keys) {
        RequestHead request = new RequestHead("POST", URI.create(target), fields(""), java.util.Optional.empty(),
                new PathRewrite(clientPrefix, originPrefix));
        List<CacheKey> expected = List.of(keys.split("; ")).stream().map(CacheKey::new).toList();

        assertEquals(expected, InvalidationRule.keysToInvalidate(request, new ResponseHead(201, fields(responseHeaders))));
    }
}
