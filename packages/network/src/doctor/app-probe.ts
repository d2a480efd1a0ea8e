/**
 * An authenticated status query for a reference that does not exist, in the operator's dialect: the
 * answer "not found" proves the application is up and accepts our credentials; an authentication
 * error proves the credentials are wrong. Written from the dialects' descriptions (docs/simulator.md);
 * it shares no code with the gateway's connectors or the simulators.
 */
import { request } from 'node:http';
import type { OperatorConfig } from '@mnogate/core';

export interface AppProbeResult {
  readonly outcome: 'authenticated' | 'auth-failed' | 'error';
  readonly ms: number;
  readonly saw: string;
}

const PROBE_REFERENCE = 'mnogate-doctor-0000000000';

function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { localAddress?: string | undefined; timeoutMs: number; method?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'POST',
        headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function xmlText(body: string, tag: string): string | undefined {
  return new RegExp(
    `<(?:[A-Za-z0-9_]+:)?${tag}\\b[^>]*>\\s*([^<]*?)\\s*</(?:[A-Za-z0-9_]+:)?${tag}\\s*>`,
  ).exec(body)?.[1];
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function appStatusProbe(
  operator: OperatorConfig,
  credentials: Readonly<Record<string, string>>,
  options: { endpoint?: string; localAddress?: string | undefined; timeoutMs?: number } = {},
): Promise<AppProbeResult> {
  const started = performance.now();
  const url = new URL(options.endpoint ?? (operator.api.endpoints[0] as string));
  const http = {
    localAddress: options.localAddress,
    timeoutMs: options.timeoutMs ?? operator.api.timeouts.statusMs,
  };
  const done = (outcome: AppProbeResult['outcome'], saw: string): AppProbeResult => ({
    outcome,
    ms: Math.round(performance.now() - started),
    saw,
  });
  try {
    switch (operator.api.dialect) {
      case 'rest-json': {
        const base = url.href.endsWith('/') ? url.href : `${url.href}/`;
        const header = String(operator.api.options.apiKeyHeader ?? 'X-API-Key');
        const res = await post(
          new URL(`topups?externalId=${PROBE_REFERENCE}`, base),
          '',
          { [header]: credentials.apiKey ?? '', accept: 'application/json' },
          { ...http, method: 'GET' },
        );
        if (res.status === 401 || res.status === 403)
          return done('auth-failed', `HTTP ${res.status} ${res.body.slice(0, 120)}`);
        if (res.status === 404 || res.status === 200)
          return done('authenticated', `HTTP ${res.status}: status query answered`);
        return done('error', `HTTP ${res.status} ${res.body.slice(0, 120)}`);
      }
      case 'ers': {
        const body = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ext="http://external.interfaces.ers.seamless.com/">
<soapenv:Body><ext:getTransactionStatus><context>
<channel>${esc(String(operator.api.options.channel ?? 'WSClient'))}</channel>
<clientId>${esc(String(operator.api.options.clientId ?? 'mnogate'))}</clientId>
<clientReference>${PROBE_REFERENCE}</clientReference>
<initiatorPrincipalId><id>${esc(String(operator.api.options.senderId ?? ''))}</id><type>RESELLERUSER</type><userId>${esc(credentials.userId ?? '')}</userId></initiatorPrincipalId>
<password>${esc(credentials.password ?? '')}</password>
</context></ext:getTransactionStatus></soapenv:Body></soapenv:Envelope>`;
        const res = await post(
          url,
          body,
          { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
          http,
        );
        const code = xmlText(res.body, 'resultCode');
        if (code === '20') return done('auth-failed', `resultCode 20 (authentication failed)`);
        if (code !== undefined && code !== '93')
          return done('authenticated', `resultCode ${code}: status query answered`);
        return done('error', `HTTP ${res.status}, resultCode ${code ?? 'none'}`);
      }
      case 'pretups': {
        const q = new URLSearchParams({
          REQUEST_GATEWAY_CODE: String(operator.api.options.requestGatewayCode ?? ''),
          REQUEST_GATEWAY_TYPE: 'EXTGW',
          LOGIN: credentials.login ?? '',
          PASSWORD: credentials.password ?? '',
          SOURCE_TYPE: String(operator.api.options.sourceType ?? 'EXTGW'),
          SERVICE_PORT: String(operator.api.options.servicePort ?? ''),
        });
        const body = `<?xml version="1.0"?><COMMAND><TYPE>EXRCSTATREQ</TYPE><DATE></DATE><EXTNWCODE>${esc(String(operator.api.options.extNwCode ?? ''))}</EXTNWCODE><MSISDN>${esc(String(operator.api.options.retailerMsisdn ?? ''))}</MSISDN><PIN>${esc(credentials.pin ?? '')}</PIN><EXTREFNUM>${PROBE_REFERENCE}</EXTREFNUM><TXNID></TXNID><LANGUAGE1>0</LANGUAGE1></COMMAND>`;
        const res = await post(
          new URL(`${url.pathname}?${q}`, url),
          body,
          { 'content-type': 'text/xml' },
          http,
        );
        const code = xmlText(res.body, 'TXNSTATUS');
        if (code === '1001' || code === '1002')
          return done('auth-failed', `TXNSTATUS ${code} (authentication failed)`);
        if (code === '4006' || code === '200')
          return done('authenticated', `TXNSTATUS ${code}: status query answered`);
        return done('error', `HTTP ${res.status}, TXNSTATUS ${code ?? 'none'}`);
      }
      case 'huawei-cbs': {
        const t = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
        const body = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ars="http://www.huawei.com/bme/cbsinterface/arservices" xmlns:cbs="http://www.huawei.com/bme/cbsinterface/cbscommon" xmlns:arc="http://cbs.huawei.com/ar/wsservice/arcommon">
<soapenv:Body><ars:QueryRechargeLogRequestMsg><RequestHeader><cbs:Version>${esc(String(operator.api.options.version ?? '1'))}</cbs:Version><cbs:MessageSeq>${PROBE_REFERENCE}</cbs:MessageSeq>
<cbs:AccessSecurity><cbs:LoginSystemCode>${esc(credentials.loginSystemCode ?? '')}</cbs:LoginSystemCode><cbs:Password>${esc(credentials.password ?? '')}</cbs:Password></cbs:AccessSecurity></RequestHeader>
<QueryRechargeLogRequest><ars:QueryObj><ars:SubAccessCode><arc:PrimaryIdentity>0</arc:PrimaryIdentity></ars:SubAccessCode></ars:QueryObj><ars:StartTime>${t}</ars:StartTime><ars:EndTime>${t}</ars:EndTime><ars:ExtTransID>${PROBE_REFERENCE}</ars:ExtTransID></QueryRechargeLogRequest>
</ars:QueryRechargeLogRequestMsg></soapenv:Body></soapenv:Envelope>`;
        const res = await post(
          url,
          body,
          { 'content-type': 'text/xml; charset=utf-8', soapaction: 'QueryRechargeLog' },
          http,
        );
        const code = xmlText(res.body, 'ResultCode');
        if (code === '102010107') return done('auth-failed', `ResultCode ${code} (authentication failed)`);
        if (code !== undefined && code !== '102010108')
          return done('authenticated', `ResultCode ${code}: status query answered`);
        return done('error', `HTTP ${res.status}, ResultCode ${code ?? 'none'}`);
      }
      default:
        return done('error', `no status probe for dialect ${operator.api.dialect}`);
    }
  } catch (err) {
    return done('error', (err as Error).message);
  }
}
