#!/usr/bin/env -S npx tsx
/** nats-sub: the CMS Go tool's interface (Go's flag grammar), on the cms-nats pipeline. */
import { goEntry } from "./go_entry.ts";

await goEntry("nats-sub", () => import("./commands/sub.ts"));
