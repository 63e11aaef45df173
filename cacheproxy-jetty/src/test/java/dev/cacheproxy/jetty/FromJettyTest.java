package dev.cacheproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.api.OriginFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.junit.jupiter.api.Test;

/** Jetty client failures are told apart as the engine's kinds of origin failure, each with its problem in one line. */
final class FromJettyTest {

    @Test
    void aTimeoutIsTimedOut() {
        assertEquals(new OriginFailure.TimedOut("TimeoutException: Total timeout 50 ms elapsed"),
                FromJetty.originFailure(new TimeoutException("Total timeout 50 ms elapsed")));
    }

    @Test
    void aRefusedOrUnresolvableOriginIsUnreachable() {
        assertEquals(new OriginFailure.Unreachable("ConnectException: Connection refused"),
                FromJetty.originFailure(new ConnectException("Connection refused")));
        assertEquals(OriginFailure.Unreachable.class,
                FromJetty.originFailure(new IOException("wrapped", new UnresolvedAddressException())).getClass());
    }

    @Test
    void aResponseThatIsNotValidHttpIsBroken() {
        assertEquals(new OriginFailure.BrokenResponse("BrokenOriginResponse: the origin sent an invalid status code 999"),
                FromJetty.originFailure(new FromJetty.BrokenOriginResponse("the origin sent an invalid status code 999")));
        assertEquals(OriginFailure.BrokenResponse.class, FromJetty.originFailure(
                new IOException("parse", new HttpException.RuntimeException(400, "Bad response"))).getClass());
    }
}
