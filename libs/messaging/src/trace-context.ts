// W3C trace context across NATS hops. No OpenTelemetry instrumentation exists for NATS, so publishers write
// `traceparent`/`tracestate` headers themselves and consumers expose (and activate) what they received.
import { randomBytes } from 'node:crypto';
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/transport-node';

export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function isTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  return match !== null && !/^0+$/.test(match[1]!) && !/^0+$/.test(match[2]!);
}

/**
 * The trace context to send with an outgoing message: the registered OpenTelemetry propagator's output when there is
 * one, else the active span's, else a child of `parent` (a context received earlier), else a fresh trace. A fresh
 * trace is marked sampled so that the consumer's spans and logs share a trace id with the publisher's logs.
 */
export function outgoingTraceContext(parent?: TraceContext): TraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (carrier.traceparent && isTraceparent(carrier.traceparent)) {
    return carrier.tracestate
      ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
      : { traceparent: carrier.traceparent };
  }
  const span = trace.getSpanContext(context.active());
  if (span && isSpanContextValid(span)) {
    const flags = span.traceFlags.toString(16).padStart(2, '0');
    const traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
    const tracestate = span.traceState?.serialize();
    return tracestate ? { traceparent, tracestate } : { traceparent };
  }
  if (parent && isTraceparent(parent.traceparent)) {
    const [, traceId, , flags] = TRACEPARENT.exec(parent.traceparent)!;
    const traceparent = `00-${traceId}-${randomHex(8)}-${flags}`;
    return parent.tracestate ? { traceparent, tracestate: parent.tracestate } : { traceparent };
  }
  return { traceparent: `00-${randomHex(16)}-${randomHex(8)}-01` };
}

export function writeTraceHeaders(headers: MsgHdrs, traceContext: TraceContext): void {
  headers.set('traceparent', traceContext.traceparent);
  if (traceContext.tracestate) headers.set('tracestate', traceContext.tracestate);
}

/** The trace context a message arrived with, if it carries a well-formed one. */
export function readTraceHeaders(headers: MsgHdrs | undefined): TraceContext | undefined {
  const traceparent = headers?.get('traceparent');
  if (!traceparent || !isTraceparent(traceparent)) return undefined;
  const tracestate = headers?.get('tracestate');
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/** An OpenTelemetry context whose remote parent is `traceContext`, for running a handler under it. */
export function toOtelContext(traceContext: TraceContext | undefined): Context {
  if (!traceContext) return ROOT_CONTEXT;
  const extracted = propagation.extract(ROOT_CONTEXT, { ...traceContext });
  if (trace.getSpanContext(extracted)) return extracted;
  // No propagator registered (no OpenTelemetry SDK): build the remote span context ourselves.
  const [, traceId, spanId, flags] = TRACEPARENT.exec(traceContext.traceparent)!;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: Number.parseInt(flags!, 16),
    isRemote: true,
  });
}

function randomHex(bytes: number): string {
  const hex = randomBytes(bytes).toString('hex');
  // An all-zero id is invalid in W3C trace context; the odds are 2^-64, but never emit one.
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}
