/**
 * Invocations waiting for an environment, first in first out: an array read from a head index and compacted
 * once the consumed part dominates, so a long queue is neither shifted per take nor kept forever.
 * @module
 */

/** A FIFO queue. */
export class WaitQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** How many are waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest waiting item, removed; `undefined` when none waits. */
  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
