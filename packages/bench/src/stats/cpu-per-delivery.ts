/** The services whose CPU a delivery costs (the broker, database and bench are reported apart). */
export const PIPELINE_SERVICES = ['router', 'sender', 'health'] as const;

/**
 * CPU milliseconds router, sender and health spent per delivery over a window: the cores
 * they used together divided by the deliveries made per second. Unlike a rate or a
 * percentile it hardly moves when other work shares the machine, so it is the figure to
 * compare runs with. Undefined when a service was not watched or nothing was delivered.
 */
export function cpuPerDeliveryMs(usage: Record<string, { cores: number }>, deliveriesPerSecond: number): number | undefined {
  if (!(deliveriesPerSecond > 0)) return undefined;
  let cores = 0;
  for (const name of PIPELINE_SERVICES) {
    const service = usage[name];
    if (!service) return undefined;
    cores += service.cores;
  }
  return (1_000 * cores) / deliveriesPerSecond;
}
