// The profile's observability section: the monitoring the target already has, which the observability
// skill reads (and, after approval, adds its alert rules to). Pure.
import { z } from 'zod';
import { contactUrl, filePath } from './profile-checks';

export const ObservabilitySchema = z.strictObject({
  // The Prometheus that scrapes the target, e.g. http://127.0.0.1:9090. Its host is an allowed host
  // like any other: http.baseUrl's host or in http.allowedHosts, and in the worker's PERF_TARGET_HOSTS.
  prometheusUrl: contactUrl(/https?/, "must be Prometheus's base URL such as http://127.0.0.1:9090"),
  // A bearer token for it: the NAME of the worker's environment variable that holds it, never its value.
  tokenEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (e.g. SHOP_PROMETHEUS_TOKEN), never its value')
    .optional(),
  // The directory on the worker's host that Prometheus reads rule files from (its rule_files glob), e.g.
  // /etc/prometheus/rules. With it the alert rules are an automatic plan item: written there after
  // approval, Prometheus reloaded (POST /-/reload: --web.enable-lifecycle) and checked. The worker's
  // operator must list it in PERF_PROMETHEUS_RULES_DIRS. Without it the rules are a file to install by hand.
  rulesDir: filePath.optional(),
  // The trace backend (Jaeger, Tempo, ...) the generated OpenTelemetry Collector config sends traces to,
  // over OTLP gRPC: host:port, or http://host:port without TLS. Only written into that file: the worker
  // never contacts it. Without it the file sends traces to the Collector's debug exporter.
  tracesEndpoint: z
    .string()
    .regex(
      /^(https?:\/\/)?[A-Za-z0-9.-]+:\d{1,5}$/,
      'must be host:port of an OTLP gRPC trace backend, e.g. tempo:4317 (or http://tempo:4317 without TLS)',
    )
    .optional(),
});
export type ObservabilityProfile = z.infer<typeof ObservabilitySchema>;

/** prometheusUrl's host when the profile does not allow it (hostAllowed: the profile's one rule). */
export function observabilityHostIssues(
  o: { prometheusUrl?: unknown } | undefined,
  hostAllowed: (host: string) => boolean,
): { path: (string | number)[]; message: string }[] {
  const url = o?.prometheusUrl;
  if (typeof url !== 'string' || !URL.canParse(url)) return [];
  const host = new URL(url).hostname;
  if (hostAllowed(host)) return [];
  return [
    {
      path: ['observability', 'prometheusUrl'],
      message: `host ${host} is neither http.baseUrl's host nor in http.allowedHosts; add it to http.allowedHosts to read its Prometheus`,
    },
  ];
}
