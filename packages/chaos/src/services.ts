import { startService, type RunningService, type ServiceName } from '@hookstream/e2e';

/** One process the run started: a slot (`router-1`) may have several over the run. */
export interface ServiceProcess {
  slot: string;
  /** `router-1`, then `router-1#2` for its replacement, … */
  label: string;
  name: ServiceName;
  service: RunningService;
  startedAtMs: number;
  killedByUs: boolean;
  exit?: { code: number | null; signal: NodeJS.Signals | null; atMs: number };
}

/**
 * The service processes of a run: starts each slot, SIGKILLs one and starts its
 * replacement with the same settings (a router takes over its predecessor's instance id,
 * hence its transactional id), and remembers every exit, so that a process that exited
 * on its own shows.
 */
export function createServiceFleet(options: { env: Record<string, string>; slotEnv: (slot: string) => Record<string, string>; log: (line: string) => void }) {
  const processes: ServiceProcess[] = [];
  const current = new Map<string, ServiceProcess>();

  async function start(slot: string): Promise<ServiceProcess> {
    const name = slot.replace(/-\d+$/, '') as ServiceName;
    const generation = processes.filter((entry) => entry.slot === slot).length + 1;
    const service = await startService(name, { ...options.env, ...options.slotEnv(slot) }, 120_000);
    const entry: ServiceProcess = { slot, label: generation === 1 ? slot : `${slot}#${generation}`, name, service, startedAtMs: Date.now(), killedByUs: false };
    service.process.once('exit', (code, signal) => {
      entry.exit = { code, signal, atMs: Date.now() };
      if (!entry.killedByUs) options.log(`${entry.label} exited on its own (code ${code}, signal ${signal})`);
    });
    processes.push(entry);
    current.set(slot, entry);
    return entry;
  }

  return {
    processes,
    current,
    start,
    /** SIGKILL the slot's process, then start its replacement; resolves when the new one is ready. */
    async killAndReplace(slot: string): Promise<{ killedAtMs: number; readyAtMs: number; replacement: ServiceProcess }> {
      const victim = current.get(slot);
      if (!victim) throw new Error(`no process in slot ${slot}`);
      victim.killedByUs = true;
      const killedAtMs = Date.now();
      await victim.service.kill();
      const replacement = await start(slot);
      return { killedAtMs, readyAtMs: Date.now(), replacement };
    },
    /** SIGTERM every running process (SIGKILL after the grace period). */
    async stopAll(graceMs = 20_000): Promise<void> {
      await Promise.all(
        [...current.values()].map(async (entry) => {
          entry.killedByUs = true;
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
          const result = await Promise.race([entry.service.stop(), timeout]);
          clearTimeout(timer);
          if (result === 'timeout') await entry.service.kill();
        }),
      );
    },
    /** SIGKILL whatever still runs (the run is being torn down after a failure). */
    killAll(): void {
      for (const entry of current.values()) {
        entry.killedByUs = true;
        if (entry.service.process.exitCode === null && entry.service.process.signalCode === null) entry.service.process.kill('SIGKILL');
      }
    },
    /** Processes that exited without being told to. */
    unexpectedExits: () => processes.filter((entry) => entry.exit !== undefined && !entry.killedByUs),
  };
}

export type ServiceFleet = ReturnType<typeof createServiceFleet>;
