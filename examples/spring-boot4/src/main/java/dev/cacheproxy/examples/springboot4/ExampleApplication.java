package dev.cacheproxy.examples.springboot4;

import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A plain Spring Boot 4 web application; application.properties turns cacheproxy on for its pages. */
@SpringBootApplication
public class ExampleApplication {

    /**
     * Starts the application.
     *
     * @param args Spring Boot's arguments, e.g. {@code --server.port=8080}
     */
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }

    /** A page that says when it was made, cacheable by shared caches for a minute. */
    @RestController
    static class Pages {

        @GetMapping("/hello")
        ResponseEntity<String> hello() {
            return ResponseEntity.ok()
                    .cacheControl(CacheControl.maxAge(Duration.ofSeconds(60)).cachePublic())
                    .body("Hello, made at " + Instant.now() + "\n");
        }
    }
}
