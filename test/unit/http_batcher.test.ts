import { test } from "uvu";
import * as assert from "uvu/assert";
import { type DeliveryOptions, HttpBatcher } from "../../sinks/http_batcher.ts";
import { maskUrl } from "../../sinks/http_sink.ts";
import { poll } from "../support/process.ts";
import { type Answer, recordingServer } from "../support/recording_server.ts";

const OPTS: DeliveryOptions = { batch: 2, queue: 100, drop: "oldest", retries: 3, backoffMs: 1, timeoutMs: 2_000 };

function batcher(url: string, opts: Partial<DeliveryOptions> = {}) {
  const warnings: string[] = [];
  const b = new HttpBatcher<string>(
    "test",
    { url, method: "POST", contentType: "text/plain", body: (items) => items.join("\n") },
    { ...OPTS, ...opts },
    (t) => warnings.push(t),
  );
  return { b, warnings };
}

test("5xx and 429 are retried until delivered; the failure and the recovery are reported once each", async () => {
  const answers: Answer[] = [{ status: 503, body: "busy\nmore" }, { status: 429 }, { status: 204 }];
  const srv = await recordingServer((_, n) => answers[n - 1]);
  try {
    const { b, warnings } = batcher(srv.url);
    b.push("a");
    b.push("b");
    assert.equal(await b.close(), { delivered: 2, dropped: 0 });
    assert.equal(srv.requests.map((r) => r.body), ["a\nb", "a\nb", "a\nb"]);
    assert.equal(warnings, [`test ${srv.url}/: HTTP 503: busy; retrying up to 3 times, queueing up to 100`, `test ${srv.url}/: delivering again`]);
  } finally {
    await srv.close();
  }
});

test("other 4xx are not retried: dropped, counted, the status and the body's first line reported", async () => {
  const srv = await recordingServer(() => ({ status: 400, body: "cannot parse line 1\n  at ..." }));
  try {
    const { b, warnings } = batcher(srv.url);
    for (const x of ["a", "b", "c"]) b.push(x);
    assert.equal(await b.close(), { delivered: 0, dropped: 3, failure: "HTTP 400: cannot parse line 1" });
    assert.is(srv.requests.length, 2, "one request per batch, none repeated");
    assert.equal(warnings, [`test ${srv.url}/: HTTP 400: cannot parse line 1; dropped 2 messages (the total is reported at the end)`]);
  } finally {
    await srv.close();
  }
});

for (const drop of ["oldest", "newest"] as const) {
  test(`a full queue drops the ${drop} item and counts it`, async () => {
    let release!: () => void;
    const held = new Promise<Answer>((r) => (release = () => r({ status: 204 })));
    const srv = await recordingServer((_, n) => (n === 1 ? held : { status: 204 }));
    try {
      const { b, warnings } = batcher(srv.url, { queue: 4, drop });
      b.push("a");
      b.push("b");
      await poll("the first batch to be in flight", () => srv.requests.length === 1);
      for (const x of ["c", "d", "e", "f", "g"]) b.push(x);
      release();
      assert.equal(await b.close(), { delivered: 6, dropped: 1, failure: "queue full (4)" });
      assert.equal(srv.requests.map((r) => r.body), drop === "oldest" ? ["a\nb", "d\ne", "f\ng"] : ["a\nb", "c\nd", "e\nf"]);
      assert.match(warnings[0], `queue full (4), dropping the ${drop}: 1 messages so far`);
    } finally {
      await srv.close();
    }
  });
}

test("while closing, a batch that exhausts its retries drops the rest of the queue without more requests", async () => {
  const srv = await recordingServer(() => ({ status: 502 }));
  try {
    const { b } = batcher(srv.url, { batch: 1, retries: 1 });
    for (const x of ["a", "b", "c"]) b.push(x);
    assert.equal(await b.close(), { delivered: 0, dropped: 3, failure: "HTTP 502" });
    assert.is(srv.requests.length, 2);
  } finally {
    await srv.close();
  }
});

test("a partial batch leaves after the flush interval, before close", async () => {
  const srv = await recordingServer();
  try {
    const { b } = batcher(srv.url, { batch: 100, flushMs: 10 });
    b.push("a");
    await poll("the partial batch", () => srv.requests.length === 1);
    assert.equal(await b.close(), { delivered: 1, dropped: 0 });
  } finally {
    await srv.close();
  }
});

test("no answer within the timeout is a network failure; retries 0 gives up after one attempt", async () => {
  const srv = await recordingServer(() => new Promise<Answer>(() => {}));
  try {
    const { b } = batcher(srv.url, { retries: 0, timeoutMs: 50 });
    b.push("a");
    assert.equal(await b.close(), { delivered: 0, dropped: 1, failure: "no response within 50ms" });
  } finally {
    await srv.close();
  }
});

test("user-info in the URL becomes Basic auth and is masked in every report", async () => {
  const srv = await recordingServer(() => ({ status: 500, body: "down" }));
  try {
    const { b, warnings } = batcher(srv.url.replace("//", "//us%40er:p%3Ass@"), { retries: 0 });
    b.push("a");
    await b.close();
    assert.is(srv.requests[0].headers.authorization, `Basic ${Buffer.from("us@er:p:ss").toString("base64")}`);
    assert.is(b.name, `test http://***@${srv.url.slice(7)}/`);
    assert.ok(warnings.length > 0 && warnings.every((w) => !w.includes("p%3Ass") && !w.includes("p:ss")));
    assert.is(maskUrl("https://host:1/x?y=1"), "https://host:1/x?y=1");
  } finally {
    await srv.close();
  }
});

test.run();
