package dev.cacheproxy.spring.boot;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** An application with one cacheable page of its own, counting how often it is really asked. */
@SpringBootApplication
class TestApplication {

    @RestController
    static class Pages {

        final AtomicInteger calls = new AtomicInteger();

        @GetMapping("/cached/{name}")
        ResponseEntity<String> page(@PathVariable String name) {
            return ResponseEntity.ok().cacheControl(CacheControl.maxAge(Duration.ofSeconds(60)).cachePublic())
                    .body("page " + name + " " + calls.incrementAndGet());
        }
    }
}
