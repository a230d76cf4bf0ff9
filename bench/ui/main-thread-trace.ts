/**
 * The renderer's main thread as Chrome's tracing sees it: for every task, wall time and the CPU
 * time the thread actually ran. On a machine shared with the hub and the simulator, a task that
 * ran 20 ms of CPU can take 60 ms of wall time while the thread waits for a core; the long-task
 * observer counts it as long all the same. Both are reported, so a figure can be read for what it
 * is. The trace ('toplevel' events only) is cut every minute and only the main thread's tasks are
 * kept, so memory stays bounded over a long run.
 */
import type { Browser, Page } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface TaskTime {
  wallMs: number;
  cpuMs: number;
}

export interface MainThreadTime {
  tasks: number;
  wallMs: number;
  cpuMs: number;
  /** Tasks over 50 ms of wall time. */
  long: TaskTime[];
}

const runTask = 'ThreadControllerImpl::RunTask';

/** The main thread's tasks in a trace: the renderer main thread that ran the most tasks. */
export function mainThreadTasks(trace: { traceEvents?: TraceEvent[] } | TraceEvent[]): TaskTime[] {
  const events = Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best: TaskTime[] = [];
  for (const m of mains) {
    const tasks = events
      .filter((e) => e.name === runTask && e.ph === 'X' && e.pid === m.pid && e.tid === m.tid)
      .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 }));
    if (tasks.length > best.length) best = tasks;
  }
  return best;
}

export class MainThreadTrace {
  private total: MainThreadTime = { tasks: 0, wallMs: 0, cpuMs: 0, long: [] };
  private tracing = false;

  constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  async start(): Promise<void> {
    await this.browser.startTracing(this.page, { categories: ['toplevel'] });
    this.tracing = true;
  }

  /** Folds what was traced so far into the totals and starts again. */
  async cut(): Promise<void> {
    await this.collect();
    await this.start();
  }

  async stop(): Promise<MainThreadTime> {
    await this.collect();
    return this.total;
  }

  private async collect(): Promise<void> {
    if (!this.tracing) return;
    this.tracing = false;
    const tasks = mainThreadTasks(JSON.parse((await this.browser.stopTracing()).toString('utf8')) as { traceEvents?: TraceEvent[] });
    for (const t of tasks) {
      this.total.tasks++;
      this.total.wallMs += t.wallMs;
      this.total.cpuMs += t.cpuMs;
      if (t.wallMs > 50) this.total.long.push(t);
    }
  }
}
