/**
 * The source, step and sink kinds a pipeline may name: each comes from its own file, which exports
 * its whole description as `kind` (lib/kind.ts). Adding a kind here adds it to flags, files, help,
 * docs and the tests that loop over every kind.
 */
import { kind as chart } from "../sinks/chart.ts";
import { kind as console } from "../sinks/console.ts";
import { kind as csv } from "../sinks/csv.ts";
import { kind as keys } from "../sinks/keys.ts";
import { kind as natsOut } from "../sinks/nats.ts";
import { kind as pushgateway } from "../sinks/pushgateway.ts";
import { kind as record } from "../sinks/record.ts";
import { kind as top } from "../sinks/top.ts";
import { kind as victoriametrics } from "../sinks/victoria_metrics.ts";
import { kind as jetstream } from "./sources/jetstream.ts";
import { kind as nats } from "./sources/nats.ts";
import { kind as replay } from "./sources/replay.ts";
import { kind as stdin } from "./sources/stdin.ts";
import { kind as filter } from "./steps/filter.ts";
import { kind as limit } from "./steps/limit.ts";
import { kind as parse } from "./steps/parse.ts";
import { kind as sample } from "./steps/sample.ts";
import { kind as select } from "./steps/select.ts";
import { kind as set } from "./steps/set.ts";
import { kind as stats } from "./steps/stats.ts";

export const sources = { replay, stdin, nats, jetstream };
export const steps = { parse, limit, sample, filter, set, select, stats };
export const sinks = { console, csv, record, keys, top, chart, victoriametrics, pushgateway, nats: natsOut };
