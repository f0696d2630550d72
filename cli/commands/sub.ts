import { Command, Option } from "commander";
import { DEFAULT_SEP } from "../../operators/payload.ts";
import { parseDuration } from "../../pipelines/duration.ts";
import { type PipelineSpec, type SinkSpec, type StepSpec, sourceSpec, stepFromFlag, sinkFromFlag } from "../../pipelines/spec.ts";
import { jobFromSubject, metricFromSubject } from "../../sinks/metric_names.ts";
import { addConnectionFlags, type ConnectionFlags, connectionSettings } from "../connection_flags.ts";
import { execute, UsageError } from "../main.ts";

interface SubFlags extends ConnectionFlags {
  time?: boolean;
  attrs?: string;
  sep: string;
  raw?: boolean;
  showStats?: boolean;
  statsBy?: string;
  statsInterval: string;
  gatewayUri?: string;
  gatewayJob?: string;
  gatewayInstance?: string;
  gatewayNaming: "go" | "labels";
  vmUri?: string;
  count?: string;
  format: "values" | "json";
  queue?: string;
}

/**
 * `nats-sub` (and `cms-nats sub`): the Go tool's flags and output, built as a pipeline spec (nats
 * source → parse → select or stats → console) and run like every other pipeline.
 */
export function command(): Command {
  const cmd = new Command("sub")
    .description("subscribe to NATS subjects and print messages (or stats), as the CMS Go nats-sub does")
    .argument("<subject...>", 'subjects; * matches one token, > the rest, e.g. "cms.wmarchive.exitCode.>"');
  addConnectionFlags(cmd)
    .option("-t, --time", "prefix lines with the arrival time, YYYY/MM/DD HH:MM:SS")
    .option("--attrs <names>", "comma-separated attributes to show, in this order, e.g. site,exitCode")
    .option("--sep <sep>", "separator of cms key:value pairs", DEFAULT_SEP)
    .option("--raw", "show raw messages: [#N] [subject] 'payload'")
    .option("--showStats", "show counts per interval instead of messages: count(<subject>) N")
    .option("--statsBy <attr>", "also count by this attribute: sorted 'value: count' lines (implies --showStats)")
    .option("--statsInterval <seconds>", "stats interval in seconds (or a duration such as 1m)", "10")
    .option("--gatewayUri <url>", "push each stats window to this Prometheus Pushgateway, <job>_<value> per key (implies --showStats)")
    .option("--gatewayJob <job>", "Pushgateway job (default: the subject, . → _ and > → metric)")
    .option("--gatewayInstance <name>", "Pushgateway instance label")
    .addOption(
      new Option("--gatewayNaming <naming>", "go: one metric per key, <job>_<value> (as the Go tool); labels: one metric <job>_count, the -statsBy value as a label")
        .choices(["go", "labels"])
        .default("go"),
    )
    .option("--vmUri <url>", "send every message (or stats row) to VictoriaMetrics /api/put")
    .option("--count <n>", "exit after N messages")
    .addOption(new Option("--format <format>", "message lines: values (as Go) or json").choices(["values", "json"]).default("values"))
    .option("--queue <group>", "queue group: subscribers of one group share the messages")
    .addHelpText(
      "after",
      `
Go-style single-dash flags work too: -s, -creds, -cmsAuth, -attrs site,exitCode, -rootCAs=a.crt,b.crt.
Data goes to stdout; Listening on, reconnects and the closing summary line go to stderr.

Examples:
  nats-sub -cmsAuth ~/.nats/cms-auth -attrs site,exitCode "cms.wmarchive.exitCode.>"
  nats-sub -s 127.0.0.1:4222 -raw "cms.wmarchive.site.T2.>"
  nats-sub -t -showStats -statsBy site -statsInterval 60 "cms.wmarchive.exitCode.>"
  nats-sub -rootCAs=/etc/nats/CERN_CA.crt,/etc/nats/CERN_CA1.crt -cmsAuth=/etc/nats/cms-auth "cms.wmarchive.>"`,
    )
    .action(async (subjects: string[], flags: SubFlags) => {
      await execute(subSpec(subjects, flags));
    });
  return cmd;
}

function subSpec(subjects: string[], flags: SubFlags): PipelineSpec {
  if ((flags.gatewayJob || flags.gatewayInstance) && !flags.gatewayUri) throw new UsageError("-gatewayJob and -gatewayInstance need -gatewayUri");
  const count = flags.count === undefined ? undefined : Number(flags.count);
  const from = sourceSpec({ nats: { subject: subjects, queue: flags.queue, count, ...connectionSettings(flags) } }, "nats-sub");
  const stats = flags.showStats || flags.statsBy !== undefined || flags.gatewayUri !== undefined;
  const time = flags.time ?? false;
  const steps: StepSpec[] = [];
  let out: SinkSpec;
  if (flags.raw && !stats) {
    out = sink({ console: { format: "raw", time } });
  } else {
    steps.push(step("parse", { format: "auto", sep: flags.sep }));
    if (stats) {
      const every = parseDuration(flags.statsInterval);
      if (every === undefined) throw new UsageError(`-statsInterval ${flags.statsInterval}: expected seconds (e.g. 10) or a duration (e.g. 1m)`);
      steps.push(step("stats", { every: `${every}ms`, by: flags.statsBy ? [flags.statsBy] : [] }));
      out = sink({ console: { format: "counts", label: subjects.join(","), time } });
    } else {
      if (flags.attrs) steps.push(step("select", flags.attrs.split(",").map((s) => s.trim())));
      out = sink({ console: { format: flags.format, time } });
    }
  }
  return { from, steps, to: [out, ...metricsSinks(subjects[0], flags)] };
}

/** -vmUri and -gatewayUri, named as the Go tool names them, on the batched and retried sinks. */
function metricsSinks(subject: string, flags: SubFlags): SinkSpec[] {
  const out: SinkSpec[] = [];
  if (flags.vmUri) out.push(sink({ victoriametrics: { url: flags.vmUri, api: "put", metric: metricFromSubject(subject) } }));
  if (flags.gatewayUri) {
    const job = flags.gatewayJob ?? jobFromSubject(subject);
    // Go POSTed each key (stale keys stay); the label form replaces the group each window
    const method = flags.gatewayNaming === "go" ? "post" : "put";
    out.push(sink({ pushgateway: { url: flags.gatewayUri, job, instance: flags.gatewayInstance, naming: flags.gatewayNaming, method } }));
  }
  return out;
}

/** Steps and sinks go through the same schemas as flags and pipeline files (JSON is YAML flow syntax). */
function step(kind: "parse" | "stats" | "select", config: unknown): StepSpec {
  return stepFromFlag(kind, JSON.stringify(config));
}

function sink(config: unknown): SinkSpec {
  return sinkFromFlag(JSON.stringify(config));
}
