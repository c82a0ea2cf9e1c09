/**
 * The operations piece: the monitor behind the dashboard and the alert
 * rules (observability/operationsMonitor.ts), over the connector list, the
 * records and the health report. It ticks from the start, dashboards open or
 * not — the alert rules' windows must be filled before anyone looks — and
 * stops first on close (the lifecycle runs newest first).
 */
import type { Config } from '../config.js';
import type { RunningConnector } from '../connectors/connector.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createOperationsMonitor, type OperationsMonitor } from '../observability/operationsMonitor.js';
import type { Readiness } from '../server/fastifyApp.js';
import type { Domain } from './domain.js';
import type { Lifecycle } from './lifecycle.js';

export function createOperations(options: { config: Config; logger: Logger; metrics: Metrics; connectors: readonly RunningConnector[]; domain: Domain; readiness: Readiness; lifecycle: Lifecycle }): OperationsMonitor {
  const monitor = createOperationsMonitor({
    config: options.config.operations,
    metrics: options.metrics,
    logger: options.logger,
    connectors: () => options.connectors,
    jobs: options.domain.jobs.store,
    orders: options.domain.orders.store,
    health: (maxAgeMs) => options.readiness.current(maxAgeMs),
  });
  monitor.start();
  options.lifecycle.defer(() => monitor.stop());
  return monitor;
}
