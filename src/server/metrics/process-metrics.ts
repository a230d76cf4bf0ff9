/**
 * Node process metrics (CPU, memory, event loop, handles) for a Pulse process's `/metrics`:
 * prom-client's defaults, less the three it names wrongly. `nodejs_active_handles_total`,
 * `nodejs_active_requests_total` and `nodejs_active_resources_total` are gauges with a counter's
 * `_total` suffix, which `promtool check metrics` refuses (and which Prometheus' rate() would
 * treat as counters). The same figures stay, by type, in `nodejs_active_handles`,
 * `nodejs_active_requests` and `nodejs_active_resources`: sum them for the totals.
 */
import { collectDefaultMetrics, type Registry } from 'prom-client';

const misnamed = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of misnamed) if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
}
