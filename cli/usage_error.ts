/** A usage mistake found after the command line was read (e.g. conflicting flags): exit 2, message on stderr. */
export class UsageError extends Error {
  override name = "UsageError";
}
