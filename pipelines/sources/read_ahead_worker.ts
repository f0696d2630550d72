/**
 * A worker thread of a replay's read-ahead (read_ahead.ts): reads each chunk it is sent (bytes, or a
 * range of a file to read itself) and sends it back packed (formats/read_ahead_chunk.ts), in the
 * order received.
 */
import { closeSync, openSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { lineRange } from "../../formats/lines.ts";
import { type ChunkReaderOptions, chunkReader, transferables } from "../../formats/read_ahead_chunk.ts";
import type { Job } from "./read_ahead.ts";

const read = chunkReader(workerData as ChunkReaderOptions);
parentPort!.on("message", (job: Job) => {
  let bytes: Uint8Array | undefined;
  if ("bytes" in job) bytes = job.bytes;
  else {
    const fd = openSync(job.path, "r"); // per range: a thread stopped at any time leaves no file open
    try {
      bytes = lineRange(fd, job.start, job.end, job.size);
    } finally {
      closeSync(fd);
    }
  }
  const packed = read(bytes, job.sampleKeys);
  parentPort!.postMessage(packed, transferables(packed));
});
