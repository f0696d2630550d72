import type { Observable, Subscriber, Subscription } from "rxjs";

/**
 * Subscribes to `source` for an operator written by hand, as RxJS's own operators do
 * (OperatorSubscriber): an exception thrown while handling a value or the completion goes to
 * `subscriber.error`, so the pipeline can flush its sinks and report, instead of being thrown out
 * of the source (where RxJS could only report it as unhandled and the process would die).
 */
export function operate<T, R>(subscriber: Subscriber<R>, source: Observable<T>, next: (value: T) => void, complete: () => void = () => subscriber.complete()): Subscription {
  return source.subscribe({
    next(value) {
      try {
        next(value);
      } catch (err) {
        subscriber.error(err);
      }
    },
    error: (err) => subscriber.error(err),
    complete() {
      try {
        complete();
      } catch (err) {
        subscriber.error(err);
      }
    },
  });
}
