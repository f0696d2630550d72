/**
 * Attribute names as users see them in the payloads (`{"Site": ..., "ExitCode": ...}`) find the
 * attributes in every step, the same as the parsed spelling; a name no message had is reported.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../support/cli.ts";

const SAMPLE = "samples/exitcodes-20k.jsonl";
const replay = (...args: string[]) => runCli("cms-nats", ["replay", SAMPLE, ...args]);

test("select, filter, stats by and a rename: the payload's spelling gives what the parsed one gives", () => {
  const pairs: [string[], string[]][] = [
    [["--select", "site,exitCode", "--to", "csv:-"], ["--select", "Site,ExitCode", "--to", "csv:-"]],
    [["--filter", 'site: "T2_*"', "--select", "site"], ["--filter", 'Site: "T2_*"', "--select", "site"]],
    [["--stats", "{every: 10m, by: [site]}", "--to", "csv:-"], ["--stats", "{every: 10m, by: [Site]}", "--to", "csv:-"]],
    [["--select", "{where: site, code: exitCode}", "--to", "csv:-"], ["--select", "where:Site,code:ExitCode", "--to", "csv:-"]],
  ];
  for (const [parsed, asWritten] of pairs) {
    const a = replay(...parsed);
    const b = replay(...asWritten);
    assert.is(a.code, 0, a.stderr);
    assert.is(b.code, 0, b.stderr);
    const header = (text: string) => text.split("\n")[0];
    // same values; a CSV header names the columns as they were written
    assert.equal(b.stdout.split("\n").slice(1), a.stdout.split("\n").slice(1), asWritten.join(" "));
    assert.ok(header(b.stdout).split(",").every((c, i) => c.toLowerCase() === header(a.stdout).split(",")[i].toLowerCase()), `${header(a.stdout)} / ${header(b.stdout)}`);
    assert.not.match(b.stderr, /no message had it/);
  }
});

test("a name no message had is reported once at the end, with the nearest name seen", () => {
  const r = replay("--select", "site,exitcode", "--to", "csv:-");
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stderr.split("\n").filter((l) => l.includes("no message had it")), ["exitcode: no message had it; did you mean exitCode?"]);
});

test("time and subject are attributes: select them, filter on a time range", () => {
  const r = replay("--filter", "time: {gte: 2026-11-21T13:30:00Z, lt: 2026-11-21T13:31:00Z}", "--select", "time,subject,site", "--to", "csv:-");
  assert.is(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split("\n");
  assert.is(rows[0], "time,subject,site");
  assert.ok(rows.length > 50);
  assert.ok(rows.slice(1).every((l) => /^2026-11-21T13:30:\d\d\.\d{3}Z,cms\.wmarchive\.exitCode\.\d+,T\d_/.test(l)), rows[1]);
});

test.run();
