import { test } from "uvu";
import * as assert from "uvu/assert";
import { PAYLOAD_SCOPE, resolveAttribute } from "../../../operators/attributes.ts";
import { msg } from "../../support/marbles.ts";

const m = msg(Date.parse("2026-11-21T14:00:00Z"), { site: "T2_US_MIT", exitCode: "8028", "meta.host": "h" });

test("a name as the payload spells it and as parse names it are one attribute", () => {
  for (const name of ["site", "Site"]) assert.is(resolveAttribute(name, PAYLOAD_SCOPE).get(m), "T2_US_MIT", name);
  assert.is(resolveAttribute("ExitCode", PAYLOAD_SCOPE).key, "exitCode");
  assert.is(resolveAttribute("Meta.Host", PAYLOAD_SCOPE).get(m), "h");
  assert.is(resolveAttribute("Site", { keys: "keep", names: [], closed: false }).get(m), undefined, "keys: keep means exactly as written");
});

test("after a step that fixes the attributes, a name is one of them, either spelling", () => {
  const scope = { keys: "camel" as const, names: ["Site", "code"], closed: true };
  assert.is(resolveAttribute("site", scope).key, "Site");
  assert.is(resolveAttribute("Code", scope).key, "code");
  assert.is(resolveAttribute("exitCode", scope).key, "exitCode", "not among them: resolved as written (the runner refuses it)");
});

test("time and subject are the message's own unless the payload has them", () => {
  assert.is(resolveAttribute("time", PAYLOAD_SCOPE).get(m), "2026-11-21T14:00:00.000Z");
  assert.is(resolveAttribute("subject", PAYLOAD_SCOPE).get(m), "cms.wmarchive.exitCode.8028");
  assert.is(resolveAttribute("time", PAYLOAD_SCOPE).get(msg(0, { time: "payload's" })), "payload's");
});

test("a reference says whether any message had it, and whether any was looked at", () => {
  const typo = resolveAttribute("exitcode", PAYLOAD_SCOPE);
  assert.is(typo.used, false);
  typo.get(m);
  assert.equal([typo.used, typo.found], [true, false]);
  const good = resolveAttribute("exitCode", PAYLOAD_SCOPE);
  good.get(msg(0, {}));
  good.get(m);
  assert.is(good.found, true);
});

test.run();
