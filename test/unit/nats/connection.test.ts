/** Connection settings, Go-style flags and subject rules, without a server. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connectionConfig, prepareConnection } from "../../../nats/connection.ts";
import { subjectProblem, subjectTemplate } from "../../../nats/subject.ts";

const dir = mkdtempSync(join(tmpdir(), "nats-settings-"));
const none = join(dir, "no-default-cms-auth");

function prepare(settings: Record<string, unknown>, warnings: string[] = []) {
  return prepareConnection(connectionConfig.parse(settings), { warn: (t) => warnings.push(t), defaultCmsAuth: none });
}

test("servers: port 4222 only when absent; nats:// and tls:// accepted; tls:// asks for TLS", () => {
  const p = prepare({ servers: "a.cern.ch, b:4333,nats://c:5222,tls://d" });
  assert.equal(p.options.servers, ["a.cern.ch:4222", "b:4333", "c:5222", "d:4222"]);
  assert.is(p.label, "a.cern.ch:4222,b:4333,c:5222,d:4222");
  assert.ok(p.options.tls);
  assert.is(prepare({ servers: "a" }).options.tls, undefined);
});

test("credentials in a server URL become options (the client ignores them in URLs) and are masked", () => {
  const p = prepare({ servers: "nats://alice:pw%40x@host:4222" });
  assert.is(p.options.user, "alice");
  assert.is(p.options.pass, "pw@x");
  assert.is(p.label, "host:4222");
  assert.is(p.mask("failed for nats://alice:pw%40x@host with pw@x"), "failed for nats://***@host with ***");
});

test("-creds: a file that does not exist is user:password or a bare token; a path that does not exist is said to be one", () => {
  const quiet: string[] = [];
  assert.equal([prepare({ creds: "bob:s:ecret" }, quiet).options.user, prepare({ creds: "bob:s:ecret" }).options.pass], ["bob", "s:ecret"]);
  assert.is(prepare({ creds: "tok123" }, quiet).options.token, "tok123");
  assert.equal(quiet, [], "a password or token is never echoed");
  const warnings: string[] = [];
  prepare({ creds: "/etc/nats/no-such.creds" }, warnings);
  assert.equal(warnings, ["-creds /etc/nats/no-such.creds: no such file; using the text as a password or token"]);
});

test("the servers as given, for Go's Listening on line, with credentials hidden", () => {
  assert.is(prepare({ servers: "127.0.0.1" }).given, "127.0.0.1");
  assert.is(prepare({ servers: "nats://u:secret@h:1,h2" }).given, "nats://***@h:1,h2");
});

test("cmsAuth file: newlines stripped; a group-readable file is warned about; no auth at all is said", () => {
  const file = join(dir, "cms-auth");
  writeFileSync(file, "carol:pw\n", { mode: 0o644 });
  const warnings: string[] = [];
  const p = prepare({ cmsAuth: file }, warnings);
  assert.equal([p.options.user, p.options.pass], ["carol", "pw"]);
  assert.match(warnings.join("\n"), "can be read by other users");
  const quiet: string[] = [];
  prepare({}, quiet);
  assert.match(quiet.join("\n"), "connecting without authentication");
});

test("rootCAs: every file's PEM text is trusted; cert and key go together", () => {
  const a = join(dir, "a.crt");
  const b = join(dir, "b.crt");
  writeFileSync(a, "PEM-A\n");
  writeFileSync(b, "PEM-B\n");
  assert.is(prepare({ rootCAs: `${a},${b}` }).options.tls?.ca, "PEM-A\n\nPEM-B\n");
  assert.throws(() => prepare({ userCert: a }), /userCert and userKey go together/);
});

test("mask hides URL user-info and the secrets in use", () => {
  assert.is(prepare({ servers: "h", creds: "u:pw9" }).mask("tls://u:p@h:1, nats://tok@h, pw9"), "tls://***@h:1, nats://***@h, ***");
});

test("subjects: wildcards only as whole tokens; templates fill safe tokens", () => {
  assert.is(subjectProblem("cms.wmarchive.exitCode.>", true), undefined);
  assert.is(subjectProblem("cms.*.x", true), undefined);
  assert.ok(subjectProblem("cms.a>", true));
  assert.ok(subjectProblem("cms..x", true));
  assert.ok(subjectProblem("cms.>", false));
  const fill = subjectTemplate("cms.analysis.{site}.{code}", (name) => (attrs: Record<string, unknown>) => attrs[name]);
  assert.is(fill({ site: "T2.US >*", code: 8028 }), "cms.analysis.T2_US___.8028");
  assert.is(fill({}), "cms.analysis._._");
  assert.throws(() => subjectTemplate("cms.{a}.>", () => () => ""), /wildcards/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
