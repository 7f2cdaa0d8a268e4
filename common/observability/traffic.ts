// The traffic an existing Prometheus saw before the run, as a load profile (pure): the request rate of
// each route (its method too, when the histogram has that label) matched to the profile's endpoints by
// the shape of their paths, beside the share the profile's weights give each endpoint. A route of the
// service is a pattern (/products/:id, /products/{id}, /products/<id>); an endpoint's path is a
// template (/products/{{int:1:9}}): both become /products/* before they are compared.

/**
 * When the traffic read before the run ends (unix seconds): just before the baseline's first load (its
 * warm-up). A baseline measured again (attempt > 1, after a worker died) started later than the run's
 * first load: as many of its lengths earlier, and a minute more, so the run's own rounds are not read
 * as production. Null window: now.
 */
export function trafficReadEndS(window: { attempt: number; startMs: number; endMs: number } | undefined, nowMs: number): number {
  if (!window) return Math.floor(nowMs / 1000) - 1;
  const earlierS = window.attempt > 1 ? (window.attempt - 1) * ((window.endMs - window.startMs) / 1000) + 60 : 0;
  return Math.floor(window.startMs / 1000 - earlierS) - 1;
}

export interface RouteRate {
  route: string;
  method: string | null;
  rps: number;
}

export interface EndpointLike {
  name: string;
  method: string;
  path: string;
  weight: number;
}

export interface EndpointTraffic {
  name: string;
  rps: number;
  /** Share of the matched production traffic, %. */
  sharePct: number;
  /** Share the profile's weights give it, %. */
  profileSharePct: number;
}

export interface TrafficMix {
  totalRps: number;
  endpoints: EndpointTraffic[];
  /** Routes with traffic that no endpoint of the profile matches. */
  unmatched: RouteRate[];
}

const PARAM_SEGMENT = /^(:.+|\{[^}]*\}|<[^>]*>|\*)$/;

/** A path or route pattern with its query dropped and every parameter segment (or templated one) as `*`. */
export function routeShape(path: string): string {
  const bare = path.replace(/[?#].*$/, '').replace(/(.)\/+$/, '$1');
  return bare
    .split('/')
    .map((seg) => (PARAM_SEGMENT.test(seg) || seg.includes('{{') ? '*' : seg))
    .join('/');
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function trafficMix(routes: readonly RouteRate[], endpoints: readonly EndpointLike[]): TrafficMix {
  const rpsOf = new Map<string, number>(endpoints.map((e) => [e.name, 0]));
  const unmatched: RouteRate[] = [];
  for (const r of routes) {
    if (!(r.rps > 0)) continue;
    const shape = routeShape(r.route);
    const matching = endpoints.filter((e) => routeShape(e.path) === shape && (r.method === null || r.method.toUpperCase() === e.method));
    if (matching.length === 0) {
      unmatched.push(r);
      continue;
    }
    // Endpoints of one route (e.g. the same path with different parameters) share its rate by weight.
    const weights = matching.reduce((s, e) => s + e.weight, 0);
    for (const e of matching) rpsOf.set(e.name, rpsOf.get(e.name)! + (r.rps * e.weight) / weights);
  }
  const matched = [...rpsOf.values()].reduce((s, x) => s + x, 0);
  const weights = endpoints.reduce((s, e) => s + e.weight, 0);
  return {
    totalRps: round2(matched + unmatched.reduce((s, r) => s + r.rps, 0)),
    endpoints: endpoints.map((e) => ({
      name: e.name,
      rps: round2(rpsOf.get(e.name)!),
      sharePct: matched > 0 ? round2((100 * rpsOf.get(e.name)!) / matched) : 0,
      profileSharePct: weights > 0 ? round2((100 * e.weight) / weights) : 0,
    })),
    unmatched: [...unmatched].sort((a, b) => b.rps - a.rps),
  };
}
