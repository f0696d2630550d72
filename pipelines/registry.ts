/** The source and sink kinds a pipeline spec may name. Adding a kind here adds it to flags, files and help. */
import type { Observable } from "rxjs";
import { z } from "zod";
import type { Message } from "../operators/message.ts";
import { consoleConfig, consoleSink } from "../sinks/console.ts";
import { csvConfig, csvSink } from "../sinks/csv.ts";
import { pushgatewayConfig, pushgatewaySink } from "../sinks/pushgateway.ts";
import { recordConfig, recordSink } from "../sinks/record.ts";
import type { Sink, SinkContext } from "../sinks/sink.ts";
import { victoriaMetricsConfig, victoriaMetricsSink } from "../sinks/victoria_metrics.ts";
import { natsSink, natsSinkFields } from "../sinks/nats.ts";
import type { Kind } from "./kind.ts";
import { connectNats } from "./nats_client.ts";
import { connectionFields, prepareConnection } from "./nats_connection.ts";
import { natsConfig, natsSource } from "./sources/nats.ts";
import { replayConfig, replaySource } from "./sources/replay.ts";
import type { SourceContext } from "./sources/source.ts";
import { stdinConfig, stdinSource } from "./sources/stdin.ts";

type Source<C> = Kind<C, SourceContext, Observable<Message>> & {
  /** Live sources stamp arrival times: stats windows then close on the scheduler's clock. */
  live: boolean;
};
type SinkKind<C> = Kind<C, SinkContext, Sink> & {
  /** Takes stats rows only: a pipeline without a stats step is a usage error. */
  needsStats?: boolean;
};

const replay: Source<typeof replayConfig._output> = {
  description: "messages of a recorded file (JSON Lines), with their recorded times",
  config: replayConfig,
  shorthand: "path",
  examples: ["replay:samples/exitcodes-20k.jsonl", "'replay: {path: rec.jsonl, speed: 1}'"],
  create: replaySource,
  live: false,
};

const stdin: Source<typeof stdinConfig._output> = {
  description: "one payload per line of standard input",
  config: stdinConfig,
  shorthand: "subject",
  examples: ["stdin", "'stdin: {subject: cms.test}'"],
  create: stdinSource,
  live: true,
};

const nats: Source<typeof natsConfig._output> = {
  description: "live messages on NATS subjects (* and > wildcards), with the nats-sub connection settings",
  config: natsConfig,
  shorthand: "subject",
  examples: ['"nats:cms.wmarchive.exitCode.>"', "'nats: {subject: \"cms.wmarchive.exitCode.>\", servers: cms-nats.cern.ch, cmsAuth: ~/.nats/cms-auth, count: 1000}'"],
  create: (config, ctx) => natsSource(config, ctx),
  live: true,
};

export const sources = { replay, stdin, nats };

const console: SinkKind<typeof consoleConfig._output> = {
  description: "lines on stdout: values (default), raw or json",
  config: consoleConfig,
  shorthand: "format",
  examples: ["console", "console:raw", "'console: {format: json, time: true}'"],
  create: consoleSink,
};

const csv: SinkKind<typeof csvConfig._output> = {
  description: "CSV file with a header row",
  config: csvConfig,
  shorthand: "path",
  examples: ["csv:out.csv", "csv:-", "'csv: {path: out.csv, append: true}'"],
  create: csvSink,
};

const record: SinkKind<typeof recordConfig._output> = {
  description: "recorded file format (JSON Lines) that replay reads back",
  config: recordConfig,
  shorthand: "path",
  examples: ["record:rec.jsonl", "'record: {path: rec.jsonl, append: true}'"],
  create: recordSink,
};

const natsSinkConfig = z.strictObject({ ...natsSinkFields, ...connectionFields });

const natsOut: SinkKind<typeof natsSinkConfig._output> = {
  description: "republish on NATS: subject template filled from attributes, payload as cms or json",
  config: natsSinkConfig,
  shorthand: "subject",
  examples: ["'nats: {subject: \"cms.analysis.{site}\", servers: localhost:4222}'", "'nats: {subject: cms.analysis.codes, format: json}'"],
  create: (config, ctx) => {
    const prepared = prepareConnection(config, { warn: ctx.warn });
    return natsSink(config, ctx, connectNats(prepared, ctx.warn).then((c) => c.nc));
  },
};

const victoriametrics: SinkKind<typeof victoriaMetricsConfig._output> = {
  description: "samples in VictoriaMetrics: stats rows (count by labels) or one sample per message; batched, retried",
  config: victoriaMetricsConfig,
  shorthand: "url",
  examples: [
    "victoriametrics:http://localhost:8428",
    "'victoriametrics: {url: http://localhost:8428, metric: exitcodes_by_site}'",
    "'victoriametrics: {url: http://localhost:4242, api: put}'",
  ],
  create: (config, ctx) => victoriaMetricsSink(config, ctx),
};

const pushgateway: SinkKind<typeof pushgatewayConfig._output> = {
  description: "each stats window pushed to a Prometheus Pushgateway, the by attributes as labels",
  config: pushgatewayConfig,
  shorthand: "url",
  examples: [
    "pushgateway:http://localhost:9091",
    "'pushgateway: {url: http://localhost:9091, job: exitcodes, instance: vocms0123}'",
    "'pushgateway: {url: http://localhost:9091, job: exitcodes, naming: go, method: post}'",
  ],
  create: (config, ctx) => pushgatewaySink(config, ctx),
  needsStats: true,
};

export const sinks = { console, csv, record, victoriametrics, pushgateway, nats: natsOut };
