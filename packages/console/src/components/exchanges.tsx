/** The redacted HTTP exchanges with the operator behind one recharge: what was sent, what came back. */
import { formatTime } from '../lib/format';
import type { ExchangeMessage, OperatorExchange } from '../lib/types';

/** One element per line, indented by depth: SOAP and XML answers usually arrive as one long line. */
function indentXml(xml: string): string {
  let depth = 0;
  return xml
    .replace(/>\s*</g, '>\n<')
    .split('\n')
    .map((line) => {
      if (line.startsWith('</')) depth = Math.max(0, depth - 1);
      const out = `${'  '.repeat(depth)}${line}`;
      const opens = /^<[^!?/][^>]*>$/.test(line) && !line.endsWith('/>');
      if (opens) depth += 1;
      return out;
    })
    .join('\n');
}

/** JSON and XML are indented for reading; anything else is shown as the operator sent it. */
function readable(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('<')) return indentXml(trimmed);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(trimmed), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

function outcome(x: OperatorExchange): string {
  if (x.response) return `HTTP ${x.response.statusCode}`;
  if (!x.sent) return 'not sent';
  return 'no answer';
}

function Message({ title, head, message }: { title: string; head: string; message: ExchangeMessage }) {
  const headers = Object.entries(message.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  return (
    <div className="exchange-message">
      <h3>{title}</h3>
      <pre className="preview" data-message={title.toLowerCase()}>
        {`${head}\n${headers}${headers ? '\n' : ''}\n${readable(message.body)}`}
      </pre>
      {message.truncated && <p className="muted">Cut to the gateway's exchanges.maxBodyBytes.</p>}
    </div>
  );
}

export function Exchanges({ exchanges }: { exchanges: readonly OperatorExchange[] }) {
  if (exchanges.length === 0) {
    return (
      <p className="muted">
        No operator exchange is kept for this recharge (refused before sending, or gateway.exchanges.record is
        off).
      </p>
    );
  }
  return (
    <ol className="exchanges" aria-label="Operator exchanges">
      {exchanges.map((x, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, oldest first, never reordered
        <li key={`${x.startedAt}-${i}`} data-exchange={x.operation}>
          <details>
            <summary>
              <strong>{x.operation === 'recharge' ? 'Recharge request' : 'Status query'}</strong>{' '}
              <span className="mono">
                {x.request.method} {x.request.url}
              </span>{' '}
              · <span className={x.response ? undefined : 'exchange-problem'}>{outcome(x)}</span>
              {x.durationMs !== null && ` · ${x.durationMs} ms`} ·{' '}
              <time dateTime={x.startedAt}>{formatTime(x.startedAt)}</time>
            </summary>
            {x.error && <p className="exchange-problem">{x.error}</p>}
            <Message title="Request" head={`${x.request.method} ${x.request.url}`} message={x.request} />
            {x.response && (
              <Message title="Response" head={`HTTP ${x.response.statusCode}`} message={x.response} />
            )}
          </details>
        </li>
      ))}
    </ol>
  );
}
