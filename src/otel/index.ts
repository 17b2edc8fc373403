/**
 * snapstart-hooks/otel: OpenTelemetry traces of the lifecycle phases, one span per phase and a child
 * span per hook. Needs `@opentelemetry/api` (an optional peer dependency: install it to use this entry).
 *
 * @packageDocumentation
 */

export { SnapStartAttributes } from './attributes.js';
export {
  DEFAULT_TRACER_NAME,
  type InstrumentBusOptions,
  instrumentBus,
  type ObservableBus,
} from './instrument.js';
