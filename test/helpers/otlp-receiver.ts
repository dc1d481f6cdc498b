/**
 * A real OTLP/HTTP receiver for tests: a node:http server on 127.0.0.1 and a free port that accepts `/v1/traces` and
 * `/v1/metrics` in the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) and keeps what arrives, flattened.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One attribute value as OTLP/JSON encodes it. */
interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}

/** A span as received, its attributes decoded. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, string | number | boolean | undefined>;
  readonly resource: Record<string, string | number | boolean | undefined>;
}

/** One data point of a metric as received. */
export interface ReceivedPoint {
  readonly metric: string;
  readonly attributes: Record<string, string | number | boolean | undefined>;
  /** A sum's or gauge's value, a histogram's count. */
  readonly value: number;
}

/** A listening receiver. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: the value of `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  readonly points: ReceivedPoint[];
  close(): Promise<void>;
}

function decode(
  attributes: readonly KeyValue[] | undefined,
): Record<string, string | number | boolean | undefined> {
  const decoded: Record<string, string | number | boolean | undefined> = {};
  for (const { key, value } of attributes ?? []) {
    decoded[key] =
      value.stringValue ??
      (value.intValue === undefined ? undefined : Number(value.intValue)) ??
      value.doubleValue ??
      value.boolValue;
  }
  return decoded;
}

interface TracesBody {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: (Omit<ReceivedSpan, 'attributes' | 'resource'> & { attributes?: KeyValue[] })[];
    }[];
  }[];
}
interface DataPoint {
  attributes?: KeyValue[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
}
interface MetricsBody {
  resourceMetrics?: {
    scopeMetrics?: {
      metrics?: {
        name: string;
        sum?: { dataPoints?: DataPoint[] };
        gauge?: { dataPoints?: DataPoint[] };
        histogram?: { dataPoints?: DataPoint[] };
      }[];
    }[];
  }[];
}

/** Starts a receiver. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as TracesBody & MetricsBody;
      if (req.url === '/v1/traces') {
        for (const resourceSpans of body.resourceSpans ?? []) {
          const resource = decode(resourceSpans.resource?.attributes);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? [])
              spans.push({ ...span, attributes: decode(span.attributes), resource });
          }
        }
      } else if (req.url === '/v1/metrics') {
        for (const resourceMetrics of body.resourceMetrics ?? []) {
          for (const scope of resourceMetrics.scopeMetrics ?? []) {
            for (const metric of scope.metrics ?? []) {
              const data = metric.sum ?? metric.gauge ?? metric.histogram;
              for (const point of data?.dataPoints ?? []) {
                points.push({
                  metric: metric.name,
                  attributes: decode(point.attributes),
                  value: Number(point.asInt ?? point.asDouble ?? point.count ?? Number.NaN),
                });
              }
            }
          }
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    points,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
