/**
 * `nats-sub` (and `cms-nats sub`): the CMS Go tool's flags (Go's grammar), output and streams, made
 * into a pipeline spec (nats source → parse → select or stats → console and metrics sinks) and run
 * like every other pipeline. Where Go had a defect, the interface stays and the behaviour is fixed
 * (README: "nats-sub and nats-pub compared with the Go tools").
 */
import { DEFAULT_SEP } from "../../formats/payload.ts";
import { type PipelineSpec, type SinkSpec, sinkOf, sourceOf, type StepSpec, stepOf } from "../../pipelines/spec.ts";
import { goJobName, metricFromSubject } from "../../sinks/metric_names.ts";
import { connectionFromFlags, goConnectionFlags } from "../connection_flags.ts";
import { goDefaults, type GoFlag, parseGoCommand } from "../go_flags.ts";
import { execute } from "../main.ts";
import { UsageError } from "../usage_error.ts";

const FLAGS: GoFlag[] = [
  ...goConnectionFlags(),
  { name: "t", type: "bool", usage: "Display timestamps" },
  { name: "h", type: "bool", usage: "Show help message" },
  { name: "attrs", type: "string", usage: "comma separated list of attributes to show, e.g. campaign,dataset" },
  { name: "sep", type: "string", usage: "message attribute separator, default 3 spaces", default: DEFAULT_SEP },
  { name: "raw", type: "bool", usage: "Show raw messages" },
  { name: "showStats", type: "bool", usage: "Show stats instead of messages" },
  { name: "statsBy", type: "string", usage: "Show stats by given attribute (a comma-separated list counts by each combination)" },
  { name: "statsInterval", type: "int", usage: "stats collect interval in seconds", default: "10" },
  { name: "gatewayUri", type: "string", usage: "URI of gateway server" },
  { name: "gatewayJob", type: "string", usage: "gateway job name" },
  { name: "gatewayInstance", type: "string", usage: "gateway instance name" },
  { name: "gatewayNaming", type: "string", usage: "go: one metric per key, <job>_<key> (as the Go tool); labels: one metric <job>_count, the -statsBy values as labels", default: "go" },
  { name: "vmUri", type: "string", usage: "VictoriaMetrics URI" },
  { name: "count", type: "int", usage: "exit after N messages" },
  { name: "format", type: "string", usage: "message lines: values (as the Go tool) or json", default: "values" },
  { name: "queue", type: "string", usage: "queue group: subscribers of one group share the messages" },
  { name: "version", type: "bool", usage: "print the version and exit" },
];

export const EXAMPLES = [
  'nats-sub -cmsAuth ~/.nats/cms-auth -attrs site,exitCode "cms.wmarchive.exitCode.>"',
  'nats-sub -s 127.0.0.1:4222 -raw "cms.wmarchive.site.T2.>"',
  'nats-sub -t -showStats -statsBy site -statsInterval 60 "cms.wmarchive.exitCode.>"',
  'nats-sub -rootCAs=/etc/nats/CERN_CA.crt,/etc/nats/CERN_CA1.crt -cmsAuth=/etc/nats/cms-auth "cms.wmarchive.>"',
];

function usage(name: string): string {
  return `Usage: ${name} [-s server] [-creds file] [-t] <subject>\n${goDefaults(FLAGS)}
Data goes to stdout; Listening on, reconnects, the count(...) lines of stats and a closing summary go to stderr.
Examples:
${EXAMPLES.map((e) => `  ${e.replace(/^nats-sub/, name)}`).join("\n")}
`;
}

/** Runs `nats-sub ARGS`; `name` is how the usage calls it. */
export async function run(name: string, args: readonly string[]): Promise<number> {
  const text = usage(name);
  const { values, args: subjects } = parseGoCommand(args, FLAGS, text);
  const misplaced = subjects.find((s) => /^--?[A-Za-z]/.test(s) && FLAGS.some((f) => f.name === s.replace(/^--?/, "").split("=")[0]));
  if (misplaced) throw new UsageError(`${misplaced} comes after the subject; with Go's flag syntax flags go first: ${name} ${misplaced} ${subjects[0]}`);
  if (subjects.length === 0) {
    process.stderr.write(text);
    throw new UsageError(`give a subject to subscribe to, e.g. ${name} "cms.wmarchive.exitCode.>"`);
  }
  return execute(subSpec(subjects, values));
}

function subSpec(subjects: string[], values: Map<string, string | boolean>): PipelineSpec {
  const flag = (n: string) => values.get(n) as string | undefined;
  const on = (n: string) => values.get(n) === true;
  if ((flag("gatewayJob") || flag("gatewayInstance")) && !flag("gatewayUri")) throw new UsageError("-gatewayJob and -gatewayInstance need -gatewayUri");
  const connection = connectionFromFlags((f) => values.get(f), (f) => `-${f}`);
  const from = sourceOf(
    "nats",
    { subject: subjects, queue: flag("queue"), count: flag("count") === undefined ? undefined : Number(flag("count")), ...connection.config },
    subjects.join(" "),
    { subject: "SUBJECT", queue: "-queue", count: "-count", ...connection.flagOf },
  );
  const subject = subjects[0];
  const time = on("t");
  const statsBy = flag("statsBy")?.split(",").map((s) => s.trim()).filter((s) => s !== "") ?? [];
  const every = { every: `${Number(flag("statsInterval") ?? "10")}s`, by: statsBy };
  const everyFlags = { every: "-statsInterval", by: "-statsBy", "": "-statsInterval" };
  // -statsBy shows stats as -showStats does (the Go tool printed the messages too, on another stream)
  const statsMode = on("showStats") || statsBy.length > 0;
  const steps: StepSpec[] = [];
  const to: SinkSpec[] = [];
  if (on("raw") && !statsMode) {
    to.push(sinkOf("console", { format: "raw", time }, "-raw"));
  } else if (statsMode) {
    // malformed payloads count too, as in the Go tool (under the empty value of -statsBy)
    steps.push(stepOf("parse", { format: "auto", sep: flag("sep") ?? DEFAULT_SEP, malformed: "keep" }, "-sep", { sep: "-sep" }));
    steps.push(stepOf("stats", every, "-showStats", everyFlags));
    to.push(sinkOf("console", { format: "counts", label: subjects.join(","), time }, "-showStats"));
  } else {
    steps.push(stepOf("parse", { format: "auto", sep: flag("sep") ?? DEFAULT_SEP }, "-sep", { sep: "-sep" }));
    if (flag("attrs") !== undefined) steps.push(stepOf("select", { attributes: flag("attrs")!.split(","), order: "payload" }, `-attrs ${flag("attrs")}`, { "": "-attrs", attributes: "-attrs" }));
    to.push(sinkOf("console", { format: flag("format") ?? "values", time }, "-format", { format: "-format" }));
  }
  const vm = flag("vmUri");
  if (vm) to.push(sinkOf("victoriametrics", { url: vm, api: "put", metric: metricFromSubject(subject) }, `-vmUri ${vm}`, { url: "-vmUri" }));
  const gateway = flag("gatewayUri");
  if (gateway) {
    const naming = flag("gatewayNaming") ?? "go";
    const sink = sinkOf(
      "pushgateway",
      // Go POSTed each key (stale keys stay); the label form replaces the group each window
      { url: gateway, job: goJobName(flag("gatewayJob") ?? subject), instance: flag("gatewayInstance"), naming, method: naming === "go" ? "post" : "put" },
      `-gatewayUri ${gateway}`,
      { url: "-gatewayUri", job: "-gatewayJob", instance: "-gatewayInstance", naming: "-gatewayNaming" },
    );
    // without stats on the console, the gateway's windows are a branch of their own
    to.push(statsMode ? sink : { ...sink, steps: [stepOf("stats", every, "-gatewayUri", everyFlags)] });
  }
  return { from, steps, to };
}
