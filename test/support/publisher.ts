/**
 * A steady NATS publisher for the shutdown and fault tests: CMS payloads numbered `seq:N` (from 1),
 * published in small bursts on `<prefix>.<site>` until stopped, so a test can tell exactly which
 * messages a subscriber got, which it missed, and where.
 */
import type { NatsConnection } from "nats";

const SITES = ["T2_US_MIT", "T1_US_FNAL", "T2_CH_CERN", "T2_DE_DESY", "T3_IT_Trieste"];

/** The CMS payload of message `seq` (sorted keys, three-space separator, as the producers send). */
export function payload(seq: number): string {
  return `exitCode:${8000 + (seq % 30)}   seq:${seq}   site:${SITES[seq % SITES.length]}   task:/pdmvserv_task_${seq % 11}/step`;
}

/** The `seq` of a payload or of a line holding one. */
export function seqOf(text: string): number {
  return Number(/seq:(\d+)/.exec(text)?.[1] ?? NaN);
}

export interface Publisher {
  /** Messages handed to the client so far (numbered 1..sent). */
  sent(): number;
  /** Stops publishing and flushes (the server has all that was sent, if connected). */
  stop(): Promise<void>;
}

/** Publishes `burst` messages, yields to the event loop for `pauseMs`, and again, until stopped. */
export function steadyPublisher(nc: NatsConnection, prefix: string, burst = 20, pauseMs = 2): Publisher {
  let seq = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped && !nc.isClosed()) {
      for (let i = 0; i < burst; i++) {
        seq++;
        nc.publish(`${prefix}.${SITES[seq % SITES.length]}`, payload(seq));
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs)); // pacing, not waiting for a condition
    }
  })();
  return {
    sent: () => seq,
    async stop() {
      stopped = true;
      await done;
      if (!nc.isClosed()) await nc.flush();
    },
  };
}
