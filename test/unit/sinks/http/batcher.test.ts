import { VirtualTimeScheduler } from "rxjs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backoff, type Fetch, HttpBatcher, MAX_BACKOFF_MS } from "../../../../sinks/http/batcher.ts";
import { type DeliveryOptions, shownUrl } from "../../../../sinks/http/delivery.ts";
import { poll } from "../../../support/process.ts";
import { type Answer, recordingServer } from "../../../support/recording_server.ts";

const OPTS: DeliveryOptions = { batch: 2, queue: 100, drop: "oldest", retries: 3, backoffMs: 1, timeoutMs: 2_000 };

function batcher(url: string, opts: Partial<DeliveryOptions> = {}, fetchFn?: Fetch, scheduler?: VirtualTimeScheduler) {
  const warnings: string[] = [];
  const b = new HttpBatcher<string>(
    "test",
    { url, method: "POST", contentType: "text/plain", body: (items) => items.join("\n") },
    { ...OPTS, ...opts },
    (t) => warnings.push(t),
    scheduler ? { scheduler, random: () => 0.5 } : undefined,
    fetchFn,
  );
  return { b, warnings };
}

/** Runs virtual time until `done` settles: lets the promises between timers run, then the due timers. */
async function runVirtual<T>(scheduler: VirtualTimeScheduler, done: Promise<T>): Promise<T> {
  let settled = false;
  void done.finally(() => (settled = true));
  for (let i = 0; i < 10_000 && !settled; i++) {
    await new Promise((r) => setImmediate(r));
    scheduler.flush();
  }
  return done;
}

/** A fetch that answers from a list (the last answer repeats), noting the virtual time of each request. */
function answering(scheduler: VirtualTimeScheduler, statuses: number[]) {
  const at: number[] = [];
  const fetchFn = (async () => {
    at.push(scheduler.now());
    const status = statuses[Math.min(at.length - 1, statuses.length - 1)];
    return new Response(status === 204 ? null : "down", { status });
  }) as unknown as Fetch;
  return { fetchFn, at };
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

test("virtual time: retries wait the exponential backoff with its jitter, capped at 30 s", async () => {
  const scheduler = new VirtualTimeScheduler();
  const { fetchFn, at } = answering(scheduler, [500, 500, 500, 500, 500, 500, 500, 204]);
  const { b } = batcher("http://vm.invalid:1", { backoffMs: 5000, retries: 7 }, fetchFn, scheduler);
  b.push("a");
  b.push("b");
  assert.equal(await runVirtual(scheduler, b.close()), { delivered: 2, dropped: 0 });
  const waits = at.slice(1).map((t, i) => t - at[i]);
  // random 0.5: three quarters of min(30 s, 5 s × 2^attempt)
  assert.equal(waits, [3750, 7500, 15000, 22500, 22500, 22500, 22500]);
  assert.is(backoff(5000, 10, 0.999999) <= MAX_BACKOFF_MS, true);
});

/** Advances virtual time to `frame`, running what is due, then lets the promises started meanwhile run. */
async function advanceTo(scheduler: VirtualTimeScheduler, frame: number): Promise<void> {
  scheduler.maxFrames = frame;
  scheduler.flush();
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

test("virtual time: a partial batch leaves after the flush interval, not before", async () => {
  const scheduler = new VirtualTimeScheduler();
  const { fetchFn, at } = answering(scheduler, [204]);
  const { b } = batcher("http://vm.invalid:1", { batch: 100, flushMs: 1000 }, fetchFn, scheduler);
  b.push("a");
  await advanceTo(scheduler, 999);
  assert.equal(at, []);
  await advanceTo(scheduler, 1000);
  assert.equal(at, [1000]);
  scheduler.maxFrames = Infinity;
  assert.equal(await runVirtual(scheduler, b.close()), { delivered: 1, dropped: 0 });
});

test("virtual time: each kind of loss is reported at most once a minute", async () => {
  const scheduler = new VirtualTimeScheduler();
  const { fetchFn, at } = answering(scheduler, [400]);
  const { b, warnings } = batcher("http://vm.invalid:1", { batch: 1, flushMs: 20_000 }, fetchFn, scheduler);
  for (let t = 0; t < 7; t++) {
    b.push(`m${t}`);
    await advanceTo(scheduler, t * 20_000 + 1); // a batch of one goes at once; then 20 s pass
  }
  assert.is(at.length, 7);
  // failures at 0, 20, 40, 60, 80, 100, 120 s: reported at 0, 60 and 120 s
  assert.is(warnings.filter((w) => w.includes("HTTP 400")).length, 3, warnings.join(" | "));
  scheduler.maxFrames = Infinity;
  await runVirtual(scheduler, b.close());
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
  test(`a full queue drops the ${drop} end (a whole batch, or the new item) and counts it`, async () => {
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
      const lost = drop === "oldest" ? 2 : 1;
      assert.equal(await b.close(), { delivered: 7 - lost, dropped: lost, failure: "queue full (4)" });
      assert.equal(srv.requests.map((r) => r.body), drop === "oldest" ? ["a\nb", "e\nf", "g"] : ["a\nb", "c\nd", "e\nf"]);
      assert.match(warnings[0], `queue full (4), dropping the ${drop}: ${lost} messages so far`);
    } finally {
      await srv.close();
    }
  });
}

test("the queue is bounded in bytes too: big items push the oldest out before the item count is reached", async () => {
  let release!: () => void;
  const held = new Promise<Answer>((r) => (release = () => r({ status: 204 })));
  const srv = await recordingServer((_, n) => (n === 1 ? held : { status: 204 }));
  try {
    const { b } = batcher(srv.url, { queue: 1000, batch: 1 });
    b.push("first");
    await poll("the first batch to be in flight", () => srv.requests.length === 1);
    const big = "x".repeat(3.5 * 1024 * 1024); // a 3.5 MB body each: the 12 MB bound holds three
    for (let i = 0; i < 5; i++) b.push(big + i);
    release();
    const r = await b.close();
    assert.equal([r.delivered, r.dropped], [4, 2]);
    assert.equal(srv.requests.slice(1).map((q) => q.body.slice(-1)), ["2", "3", "4"], "the oldest went");
    assert.match(r.failure!, /queue full \(12 MB\)/);
  } finally {
    await srv.close();
  }
});

test("buffers of sent and dropped batches are reused: each body is its batch's bytes, whatever the buffer held before", async () => {
  const srv = await recordingServer(() => ({ status: 204 }));
  try {
    const { b } = batcher(srv.url, { batch: 1 });
    const bodies = ["a long first body", "short", "", "mid size", "x".repeat(70_000)];
    for (const x of bodies) {
      b.push(x);
      await poll("its request", () => srv.requests.length === bodies.indexOf(x) + 1 || x === "");
    }
    assert.equal((await b.close()).delivered, 5);
    assert.equal(srv.requests.map((r) => r.body), bodies);
  } finally {
    await srv.close();
  }
});

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

test("no answer within the timeout is a failure; retries 0 gives up after one attempt", async () => {
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
    assert.is(shownUrl("https://host:1/x?y=1"), "https://host:1/x?y=1");
  } finally {
    await srv.close();
  }
});

test.run();
