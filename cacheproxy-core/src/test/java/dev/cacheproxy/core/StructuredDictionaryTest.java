package dev.cacheproxy.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 8941 §4.2.2 Dictionary syntax, the syntax of RFC 9213 targeted fields. */
final class StructuredDictionaryTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "no-store",
            "max-age=60",
            "max-age=60, no-store",
            "max-age=60,no-store",
            "max-age=60 ,\tno-store",
            "*a=1",
            "a.b_c-d*e9=1",
            "a=tok",
            "a=Tok/en:x!#$%&'*+-.^_`|~",
            "a=*",
            "a=0",
            "a=-5",
            "a=123456789012345",
            "a=-123456789012345",
            "a=1.5",
            "a=123456789012.123",
            "a=-0.1",
            "a=\"\"",
            "a=\"plain string\"",
            "a=\"escaped \\\" and \\\\\"",
            "a=\"commas, inside\", b",
            "a=?0",
            "a=?1",
            "a=:cHJldGVuZA==:",
            "a=::",
            "a;p",
            "a=1;p=2;q, b",
            "a=1; p=2",
            "a=1;p=\"x\";q=?0",
            "a=(1 2 \"x\" tok)",
            "a=( 1  2 )",
            "a=()",
            "a=();p=1",
            "a=(1;p 2);q",
            "max-age=\"10000\"",
            "   a=1",
    })
    void validDictionariesAreAccepted(String value) {
        assertTrue(StructuredDictionary.isValid(value), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Max-Age=60",
            "MaX-aGe=1",
            "max-age=60,",
            "max-age=60, ",
            "max-age=60,,no-store",
            ",max-age=60",
            "max-age=60 no-store",
            "1a=1",
            "-a=1",
            "_a=1",
            "a b",
            "a=",
            "a=1234567890123456",
            "a=1234567890123.1",
            "a=1.1234",
            "a=1.",
            "a=.5",
            "a=-",
            "a=--1",
            "a=\"unterminated",
            "a=\"bad \\x escape\"",
            "a=\"trailing backslash\\",
            "a=\"non-ascii \u00e9\"",
            "a=\"tab\tinside\"",
            "a=?2",
            "a=?",
            "a=:unterminated",
            "a=:not base64!:",
            "a=(1 2",
            "a=(1,2)",
            "a=(1 2)x",
            "a=1;",
            "a=1;P=2",
            "a=1;p=",
            "a=\u00e9",
            "a=1 ;p",
            "a=$",
            "a=1, b=2,",
    })
    void invalidDictionariesAreRefused(String value) {
        assertFalse(StructuredDictionary.isValid(value), value);
    }
}
