/** Go's flag grammar, case by case as the Go nats-sub answered them (facts recorded from the built Go tool). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { goDefaults, type GoFlag, GoFlagExit, parseGoFlags } from "../../../cli/go_flags.ts";

const FLAGS: GoFlag[] = [
  { name: "s", type: "string", usage: "The nats server URLs (separated by comma)", default: "cms-nats.cern.ch" },
  { name: "raw", type: "bool", usage: "Show raw messages" },
  { name: "t", type: "bool", usage: "Display timestamps" },
  { name: "attrs", type: "string", usage: "comma separated list of attributes to show, e.g. campaign,dataset" },
  { name: "sep", type: "string", usage: "message attribute separator, default 3 spaces", default: "   " },
  { name: "showStats", type: "bool", usage: "Show stats instead of messages" },
  { name: "statsInterval", type: "int", usage: "stats collect interval in seconds", default: "10" },
];

function parse(args: string[]) {
  let err = "";
  try {
    const r = parseGoFlags(args, FLAGS, "USAGE\n", { write: (t: string) => (err += t) });
    return { values: Object.fromEntries(r.values), args: r.args, err };
  } catch (e) {
    if (!(e instanceof GoFlagExit)) throw e;
    return { code: e.code, err };
  }
}

test("-name and --name; -name=value and -name value; booleans as -b, -b=true, -b=false", () => {
  assert.equal(parse(["-s=127.0.0.1", "--raw", "-attrs", "site", "-t=false", "subj"]), { values: { s: "127.0.0.1", raw: true, attrs: "site", t: false }, args: ["subj"], err: "" });
  assert.equal(parse(["--s", "h", "--attrs=site", "-raw=true", "x"]).values, { s: "h", attrs: "site", raw: true });
  assert.equal(parse(["-sep", "   ", "x"]).values, { sep: "   " }, "a value is taken whatever it looks like");
  assert.equal(parse(["-attrs", "-raw", "x"]).values, { attrs: "-raw" });
});

test("flags end at the first argument that is not one, or after --; - alone is an argument", () => {
  assert.equal(parse(["subj", "-raw"]).args, ["subj", "-raw"]);
  assert.equal(parse(["-raw", "--", "-t"]), { values: { raw: true }, args: ["-t"], err: "" });
  assert.equal(parse(["-", "x"]).args, ["-", "x"]);
});

test("Go's messages: unknown flag (never split into a short flag and a value), bad values, missing value, bad syntax: usage, exit 2", () => {
  assert.equal(parse(["-showstats", "x"]), { code: 2, err: "flag provided but not defined: -showstats\n(did you mean -showStats?)\nUSAGE\n" });
  assert.equal(parse(["-raw=yes", "x"]), { code: 2, err: 'invalid boolean value "yes" for -raw: parse error\nUSAGE\n' });
  assert.equal(parse(["-statsInterval", "abc", "x"]), { code: 2, err: 'invalid value "abc" for flag -statsInterval: parse error\nUSAGE\n' });
  assert.equal(parse(["-attrs"]), { code: 2, err: "flag needs an argument: -attrs\nUSAGE\n" });
  assert.equal(parse(["---raw"]), { code: 2, err: "bad flag syntax: ---raw\nUSAGE\n" });
});

test("-help, -h and --help print the usage on stderr and exit 0 (when not defined as flags)", () => {
  for (const h of ["-help", "-h", "--help"]) assert.equal(parse([h]), { code: 0, err: "USAGE\n" });
});

test("the flag list as Go's PrintDefaults writes it", () => {
  assert.is(
    goDefaults(FLAGS),
    [
      "  -attrs string",
      "    \tcomma separated list of attributes to show, e.g. campaign,dataset",
      "  -raw",
      "    \tShow raw messages",
      "  -s string",
      '    \tThe nats server URLs (separated by comma) (default "cms-nats.cern.ch")',
      "  -sep string",
      '    \tmessage attribute separator, default 3 spaces (default "   ")',
      "  -showStats",
      "    \tShow stats instead of messages",
      "  -statsInterval int",
      "    \tstats collect interval in seconds (default 10)",
      "  -t\tDisplay timestamps",
      "",
    ].join("\n"),
  );
});

test.run();
