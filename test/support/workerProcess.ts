import { spawn, type ChildProcess } from 'node:child_process';
import { watchLogs } from './failureLogs.ts';
import { waitFor } from './wait.ts';

/** A real `npm run worker` process (node + tsx), with its JSON log lines collected. */
export class WorkerProcess {
  readonly logs: Record<string, unknown>[] = [];
  /** Standard output lines that were not JSON (a structured logger never writes one). */
  readonly unstructured: string[] = [];
  /** Everything written to standard error. */
  stderr = '';
  private readonly child: ChildProcess;
  private exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;

  /** `cpus`: pin the worker and everything it spawns to these cores (taskset list, e.g. "0"). */
  constructor(env: Record<string, string>, opts: { cpus?: string } = {}) {
    const command = [process.execPath, '--import', 'tsx', 'src/worker/main.ts'];
    if (opts.cpus !== undefined) command.unshift('taskset', '-c', opts.cpus);
    this.child = spawn(command[0]!, command.slice(1), {
      cwd: process.cwd(),
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          this.logs.push({ msg: line });
          this.unstructured.push(line);
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.logs.push({ stderr: chunk.toString() });
      this.stderr += chunk.toString();
    });
    watchLogs(`worker ${this.child.pid}`, () => this.logs.map((l) => JSON.stringify(l)));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve((this.exitCode = code))));
  }

  get pid(): number {
    return this.child.pid!;
  }

  async ready(): Promise<this> {
    await waitFor(() => this.logs.some((l) => l.msg === 'worker ready'), { timeout: 30_000, message: () => `worker ready (logs: ${JSON.stringify(this.logs.slice(-3))})` });
    return this;
  }

  composed(requestId: string): number {
    return this.logs.filter((l) => l.msg === 'composed' && l.requestId === requestId).length;
  }

  get composedCount(): number {
    return this.logs.filter((l) => l.msg === 'composed').length;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
