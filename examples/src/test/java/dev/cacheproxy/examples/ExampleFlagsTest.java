package dev.cacheproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

final class ExampleFlagsTest {

    @Test
    void noFlagsMeanTheDemoOriginOnLoopbackPort8080() {
        assertEquals(new ExampleFlags(Optional.empty(), 8080, "127.0.0.1", false), ExampleFlags.parse(List.of()));
    }

    @Test
    void everyFlagIsRead() {
        ExampleFlags flags = ExampleFlags.parse(List.of("--origin", "http://127.0.0.1:8000", "--port", "0", "--bind", "0.0.0.0"));

        assertEquals(Optional.of(URI.create("http://127.0.0.1:8000")), flags.origin());
        assertEquals(0, flags.port());
        assertEquals("0.0.0.0", flags.bind());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--nope                    | unknown flag --nope",
        "--port                    | --port needs a value",
        "--port 70000              | --port must be between 0 and 65535",
        "--port eighty             | --port must be a number",
        "--origin ftp://host/      | --origin must be an http:// or https:// URL",
        "--origin                  | --origin needs a value",
    })
    void aBadFlagOrValueIsRefusedWithAOneLineReason(String args, String reason) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ExampleFlags.parse(List.of(args.split(" "))));

        assertTrue(refused.getMessage().startsWith(reason), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
    }

    @Test
    void helpListsEveryFlag() {
        for (String flag : List.of("--origin", "--port", "--bind", "--help")) {
            assertTrue(ExampleFlags.USAGE.contains(flag), flag);
        }
    }
}
