// What each request of a load test looks like: a weighted choice of endpoint, then its path and
// body with `{{int:MIN:MAX}}` placeholders replaced by random integers.
import type { Endpoint } from '../../common/profile';

export type Rng = () => number; // uniform in [0, 1)

const INT_TEMPLATE = /\{\{int:(-?\d+):(-?\d+)\}\}/g;

/** Replaces each `{{int:MIN:MAX}}` by a random integer in [MIN, MAX] (inclusive). */
export function renderTemplate(template: string, rng: Rng = Math.random): string {
  if (!template.includes('{{')) return template;
  return template.replace(INT_TEMPLATE, (_m, a: string, b: string) => {
    let min = Number(a);
    let max = Number(b);
    if (min > max) [min, max] = [max, min];
    return String(min + Math.floor(rng() * (max - min + 1)));
  });
}

/** Returns a function that picks an endpoint index with probability weight / sum(weights). */
export function createPicker(weights: number[], rng: Rng = Math.random): () => number {
  if (weights.length === 0) throw new Error('no endpoints to choose from');
  if (weights.length === 1) return () => 0;
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w > 0 ? w : 0;
    cumulative.push(total);
  }
  if (total <= 0) throw new Error('endpoint weights must be positive');
  return () => {
    const r = rng() * total;
    // Linear scan: endpoint lists are short.
    for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]) return i;
    return cumulative.length - 1;
  };
}

export interface PreparedRequest {
  endpointIndex: number;
  method: Endpoint['method'];
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Endpoints ready to be sent under a base path (the path part of http.baseUrl). */
export class Scenario {
  private readonly pick: () => number;
  private readonly headers: Record<string, string>[];

  constructor(
    readonly endpoints: Endpoint[],
    private readonly basePath = '',
    private readonly rng: Rng = Math.random,
  ) {
    this.pick = createPicker(endpoints.map((e) => e.weight), rng);
    this.headers = endpoints.map((e) => {
      const h: Record<string, string> = { ...e.headers };
      if (e.body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
        h['content-type'] = 'application/json';
      }
      return h;
    });
  }

  next(): PreparedRequest {
    const i = this.pick();
    const e = this.endpoints[i];
    return {
      endpointIndex: i,
      method: e.method,
      path: this.basePath + renderTemplate(e.path, this.rng),
      headers: this.headers[i],
      body: e.body === undefined ? undefined : renderTemplate(e.body, this.rng),
    };
  }
}
