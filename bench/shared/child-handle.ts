/**
 * The orchestrator's grip on one bench child: typed messages, sample requests answered by id, and
 * a child that dies mid-run turned into an error at the next await rather than a hang.
 */
import type { ChildProcess } from 'node:child_process';
import { forkTs } from './bench-ipc.ts';
import type { FromChild, ProcessSample, ToChild } from './bench-ipc.ts';

/** A child that does not answer within this is stuck; the bench stops rather than hangs. */
const answerTimeoutMs = 30_000;

export class ChildHandle {
  readonly name: string;
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (s: ProcessSample) => void; reject: (e: Error) => void }>();
  private readyWaiters: Array<{ resolve: (m: FromChild) => void; reject: (e: Error) => void }> = [];
  private readyMessage: FromChild | null = null;
  private exited: Error | null = null;

  constructor(name: string, entry: URL, execArgv: string[] = []) {
    this.name = name;
    this.child = forkTs(entry, execArgv);
    this.child.on('message', (message: FromChild) => this.onMessage(message));
    this.child.on('exit', (code, signal) => this.onExit(new Error(`${name} process exited (${signal ?? `code ${code}`})`)));
    this.child.on('error', (error) => this.onExit(error));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(message: ToChild): void {
    if (this.exited) throw this.exited;
    this.child.send(message);
  }

  /** Resolves with the child's `ready` message (sent once). */
  ready(): Promise<FromChild> {
    if (this.readyMessage) return Promise.resolve(this.readyMessage);
    if (this.exited) return Promise.reject(this.exited);
    return this.bounded(new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject })), `${this.name} did not start`);
  }

  sample(gc = false): Promise<ProcessSample> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const answer = new Promise<ProcessSample>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.child.send({ type: 'sample', id, gc } satisfies ToChild);
    return this.bounded(answer, `${this.name} did not answer a sample request`);
  }

  /** Ask the child to exit and wait for it (bounded; killed after that). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.child.send({ type: 'exit' } satisfies ToChild);
    } catch {
      // Already disconnected: the kill below ends it.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  private onMessage(message: FromChild): void {
    if (message.type === 'sample') {
      const w = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      w?.resolve(message);
      return;
    }
    this.readyMessage = message;
    for (const w of this.readyWaiters.splice(0)) w.resolve(message);
  }

  private onExit(error: Error): void {
    if (this.exited) return;
    this.exited = error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
    for (const w of this.readyWaiters.splice(0)) w.reject(error);
  }

  private bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${answerTimeoutMs / 1000} s`)), answerTimeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
