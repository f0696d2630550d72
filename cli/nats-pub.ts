#!/usr/bin/env -S npx tsx
/** nats-pub: the CMS Go tool's interface (Go's flag grammar); stdin mode and -count beyond it. */
import { goEntry } from "./go_entry.ts";

await goEntry("nats-pub", () => import("./commands/pub.ts"));
