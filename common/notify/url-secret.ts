// A webhook URL may carry its secret in the path or query as {{env:NAME}} (a Slack incoming webhook's
// path is its token): the profile, the workflow histories and the delivery records hold the name; the
// worker puts the value in just before the request. The scheme and host are always written plainly, so
// the allowed-host rules judge them before anything is resolved. No zod: the workflows import this.
import { envNameIssue, envPlaceholder, PLACEHOLDER, placeholderBodies } from '../template-placeholders';

/** The environment variables a notifier URL names, in order. */
export function urlEnvNames(url: string): string[] {
  return placeholderBodies(url).flatMap((b) => {
    const name = envPlaceholder(b);
    return name === null ? [] : [name];
  });
}

/** Why the placeholders of a webhook URL are not allowed, or null (none, or only {{env:NAME}} after the host). */
export function urlPlaceholderIssue(url: string): string | null {
  const first = url.search(PLACEHOLDER);
  if (first < 0) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#{}]+[/?#]/i.test(url.slice(0, first))) {
    return 'may carry {{env:NAME}} only in its path or query, after the host (e.g. https://hooks.slack.com/services/{{env:SLACK_WEBHOOK_PATH}})';
  }
  for (const body of placeholderBodies(url)) {
    const name = envPlaceholder(body);
    if (name === null) return `{{${body}}} is not allowed here: a notifier URL takes only {{env:NAME}}`;
    const issue = envNameIssue(name);
    if (issue) return issue;
  }
  return null;
}

/** The URL with each {{env:NAME}} replaced by value(NAME). The origin cannot change: placeholders come after the host. */
export function resolveUrlSecrets(url: string, value: (name: string) => string): string {
  return url.replace(PLACEHOLDER, (_, body: string) => value(envPlaceholder(body) ?? body));
}
