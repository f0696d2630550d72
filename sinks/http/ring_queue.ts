/**
 * A first-in first-out queue of fixed capacity over one preallocated array (a ring). Its memory is
 * the `capacity` slots plus the items it holds, whatever the push rate: a slot is cleared when its
 * item leaves, so nothing dropped or taken stays reachable (an array with a moving head kept every
 * dropped item alive until the next compaction, hundreds of MB under a burst).
 */
export class RingQueue<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Adds at the tail; the caller makes room first (a full queue throws). */
  push(item: T): void {
    if (this.count === this.capacity) throw new RangeError("RingQueue is full");
    this.slots[(this.head + this.count++) % this.capacity] = item;
  }

  /** Removes and returns the oldest item (undefined when empty). */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** Removes and returns up to `n` of the oldest items, oldest first. */
  take(n: number): T[] {
    const out: T[] = [];
    for (let i = Math.min(n, this.count); i > 0; i--) out.push(this.shift() as T);
    return out;
  }
}
