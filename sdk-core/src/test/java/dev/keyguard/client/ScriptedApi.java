package dev.keyguard.client;

import dev.keyguard.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * An API without a network, for scripted traffic: installed as the client's logging interceptor
 * (after the authenticator and the usage monitor), it answers every attempt from a script, and can
 * advance a fake clock by the reply's latency. A null reply is a connection failure.
 */
final class ScriptedApi implements Interceptor {

  /** One scripted answer. */
  record Reply(int code, Headers headers, String body, Duration latency) {
    static Reply ok() {
      return status(200);
    }

    static Reply status(int code) {
      return new Reply(code, Headers.of(), "{}", Duration.ZERO);
    }

    Reply header(String name, String value) {
      return new Reply(code, headers.newBuilder().add(name, value).build(), body, latency);
    }

    Reply body(String text) {
      return new Reply(code, headers, text, latency);
    }

    Reply latency(Duration d) {
      return new Reply(code, headers, body, d);
    }
  }

  private static final MediaType JSON = MediaType.get("application/json");

  private final @Nullable FakeClock clock;
  private volatile Function<Request, @Nullable Reply> script = r -> Reply.ok();
  final AtomicInteger attempts = new AtomicInteger();

  ScriptedApi(@Nullable FakeClock clock) {
    this.clock = clock;
  }

  ScriptedApi answer(Function<Request, @Nullable Reply> script) {
    this.script = script;
    return this;
  }

  ScriptedApi always(Reply reply) {
    return answer(r -> reply);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    attempts.incrementAndGet();
    Reply reply = script.apply(request);
    if (reply == null) {
      throw new IOException("scripted connection reset");
    }
    if (clock != null && !reply.latency().isZero()) {
      clock.advance(reply.latency());
    }
    return new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(reply.code())
        .message("scripted")
        .headers(reply.headers())
        .body(ResponseBody.create(reply.body(), JSON))
        .build();
  }
}
