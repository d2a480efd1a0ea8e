/** Small XML helpers for the XML dialects: reading by local name, and escaping what we write. */
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

export type XmlNode = { readonly [key: string]: XmlValue };
export type XmlValue = string | XmlNode | readonly XmlValue[];

/** Parses XML with namespace prefixes removed and every leaf kept as text; undefined when unreadable. */
export function parseXml(text: string): XmlNode | undefined {
  try {
    const doc: unknown = parser.parse(text, true);
    return doc !== null && typeof doc === 'object' ? (doc as XmlNode) : undefined;
  } catch {
    return undefined;
  }
}

/** Follows a path of local names; the first element where a name repeats. */
export function child(node: XmlValue | undefined, ...path: string[]): XmlValue | undefined {
  let cur: XmlValue | undefined = node;
  for (const name of path) {
    if (Array.isArray(cur)) cur = cur[0];
    if (cur === undefined || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as XmlNode)[name];
  }
  return Array.isArray(cur) ? cur[0] : cur;
}

/** The text at a path, or undefined (an empty element reads as ""). */
export function text(node: XmlValue | undefined, ...path: string[]): string | undefined {
  const v = child(node, ...path);
  if (typeof v === 'string') return v;
  if (v !== undefined && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return '';
  return undefined;
}

export function escapeXml(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>value</name>` with the value escaped; nothing when value is undefined. */
export function el(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`;
}

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A SOAP 1.1 fault envelope (HTTP 500). */
export function soapFault(code: 'soap:Client' | 'soap:Server', message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP_ENV}"><soap:Body><soap:Fault><faultcode>${code}</faultcode><faultstring>${escapeXml(message)}</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
}
